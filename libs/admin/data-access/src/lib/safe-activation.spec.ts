import { TestBed } from '@angular/core/testing';
import { ActivationPreview, diffConfigValues } from '@polymaker/admin/util';
import { AdminApi } from './admin-api';
import { SafeActivation } from './safe-activation';

function version(id: number, values: Record<string, unknown>) {
  return {
    id,
    version: id,
    values,
    isActive: false,
    note: null,
    source: 'admin',
    basedOnId: null,
    analysisId: null,
    createdAt: '2026-01-01T00:00:00Z',
  };
}

/** A stand-in for the API: v2 is active (paused), v6 was made from suggestions and carries pauseOrders false. */
function setup() {
  let activeId = 2;
  const versions = new Map([
    [1, version(1, { pauseOrders: false, mmSpreadMin: 0.02 })],
    [2, version(2, { pauseOrders: true, mmSpreadMin: 0.02 })],
    [6, version(6, { pauseOrders: false, mmSpreadMin: 0.03 })],
  ]);
  const api = {
    activeConfig: jest.fn(async () => versions.get(activeId) ?? null),
    getConfig: jest.fn(async (id: number) => versions.get(id)),
    // What the API's previews answer, computed the same way from the versions above.
    previewActivation: jest.fn(async (id: number) => serverPreview(activeId, id)),
    previewRollback: jest.fn(async (toVersion?: number) => serverPreview(activeId, toVersion ?? 1)),
    activateConfig: jest.fn(async (id: number) => ({ ...versions.get(id), isActive: true })),
    rollbackConfig: jest.fn(async (id?: number) => ({ ...versions.get(id ?? 0), isActive: true })),
    setPaused: jest.fn(async (paused: boolean) =>
      version(7, { ...versions.get(activeId)?.values, pauseOrders: paused }),
    ),
    validateConfig: jest.fn(async (values: Record<string, unknown>) => ({
      valid: true,
      problems: [],
      values,
    })),
    createConfig: jest.fn(async () => version(8, {})),
  };
  function serverPreview(activeConfigId: number, configId: number) {
    const from = versions.get(activeConfigId)?.values ?? {};
    const to = versions.get(configId)?.values ?? {};
    const pauseOrders = { from: from['pauseOrders'] === true, to: to['pauseOrders'] === true };
    const mode = { from: from['mode'] ?? 'dry_run', to: to['mode'] ?? 'dry_run' };
    const changes = diffConfigValues(from, to);
    return {
      configId,
      activeConfigId,
      alreadyActive: configId === activeConfigId,
      changes,
      changedKeys: changes.map((c) => c.key),
      changesMode: mode.from !== mode.to,
      mode,
      changesPauseOrders: pauseOrders.from !== pauseOrders.to,
      pauseOrders,
    };
  }
  TestBed.configureTestingModule({ providers: [{ provide: AdminApi, useValue: api }] });
  return { api, safe: TestBed.inject(SafeActivation), setActive: (id: number) => (activeId = id) };
}

describe('SafeActivation', () => {
  it('shows the diff against the active version and sends nothing on cancel', async () => {
    const { api, safe } = setup();
    const seen: ActivationPreview[] = [];
    const result = await safe.activate(6, async (p) => (seen.push(p), false));
    expect(result).toBeNull();
    expect(api.activateConfig).not.toHaveBeenCalled();
    expect(seen[0].activeId).toBe(2);
    expect(seen[0].changes.map((c) => c.key)).toEqual(['mmSpreadMin', 'pauseOrders']);
    expect(seen[0].warnings[0].text).toContain('This RESUMES trading: pauseOrders true → false');
  });

  it('activates what was confirmed', async () => {
    const { api, safe } = setup();
    const result = await safe.activate(6, async () => true);
    expect(api.activateConfig).toHaveBeenCalledWith(6);
    expect(result?.isActive).toBe(true);
  });

  it('asks again when the active version changed while the dialog was open', async () => {
    const { api, safe, setActive } = setup();
    const seen: ActivationPreview[] = [];
    await safe.activate(6, async (p) => {
      seen.push(p);
      if (seen.length === 1) setActive(1); // another admin activated v1 meanwhile
      return true;
    });
    expect(seen).toHaveLength(2);
    expect(seen[1].activeId).toBe(1);
    expect(seen[1].notice).toContain('changed to v1');
    expect(seen[1].warnings).toEqual([]);
    expect(api.activateConfig).toHaveBeenCalledTimes(1);
  });

  it('rolls back to the version the person confirmed', async () => {
    const { api, safe } = setup();
    const seen: ActivationPreview[] = [];
    await safe.rollback(async (p) => (seen.push(p), true));
    expect(seen[0]).toEqual(expect.objectContaining({ action: 'rollback', activeId: 2, targetId: 1 }));
    expect(api.previewRollback).toHaveBeenCalledWith(undefined);
    expect(seen[0].warnings[0].text).toContain('RESUMES');
    expect(api.rollbackConfig).toHaveBeenCalledWith(1);
  });

  it('previews a resume as the one key that changes', async () => {
    const { api, safe } = setup();
    const seen: ActivationPreview[] = [];
    await safe.setPaused(false, async (p) => (seen.push(p), false));
    expect(seen[0].changes).toEqual([{ key: 'pauseOrders', change: 'changed', from: true, to: false }]);
    expect(api.setPaused).not.toHaveBeenCalled();
  });

  it('previews save-and-activate from the edit on top of its base, and saves only when confirmed', async () => {
    const { api, safe } = setup();
    const seen: ActivationPreview[] = [];
    expect(
      await safe.saveAndActivate(
        { basedOnId: 1, values: { mmSpreadMin: 0.05 } },
        async (p) => (seen.push(p), false),
      ),
    ).toBeNull();
    expect(api.createConfig).not.toHaveBeenCalled();
    // Based on v1 (not paused) while v2 (paused) is active: saving it would resume trading, and the dialog says so.
    expect(seen[0].changes.map((c) => `${c.key}:${JSON.stringify(c.from)}→${JSON.stringify(c.to)}`)).toEqual([
      'mmSpreadMin:0.02→0.05',
      'pauseOrders:true→false',
    ]);
    expect(seen[0].warnings.map((w) => w.key)).toEqual(['pauseOrders']);
    await safe.saveAndActivate({ basedOnId: 1, values: { mmSpreadMin: 0.05 } }, async () => true);
    expect(api.createConfig).toHaveBeenCalledWith({
      basedOnId: 1,
      values: { mmSpreadMin: 0.05 },
      activate: true,
    });
  });
});
