import {
  activationWarnings,
  applyConfigChanges,
  diffConfigValues,
  isRiskyActivation,
  previewBetween,
  previewFromServer,
} from './activation';

describe('activation preview', () => {
  it('lists the keys that change, sorted, with unset as null', () => {
    expect(
      diffConfigValues(
        { a: 1, b: [1, 2], c: 'x', pauseOrders: false },
        { a: 2, b: [1, 2], d: true, pauseOrders: false },
      ),
    ).toEqual([
      { key: 'a', change: 'changed', from: 1, to: 2 },
      { key: 'c', change: 'removed', from: 'x', to: null },
      { key: 'd', change: 'added', from: null, to: true },
    ]);
  });

  it('ignores key order inside nested values, like the API', () => {
    expect(diffConfigValues({ w: { x: 1, y: 2 } }, { w: { y: 2, x: 1 } })).toEqual([]);
    expect(diffConfigValues({ w: [[0, 6]] }, { w: [[0, 7]] })).toHaveLength(1);
  });

  it('applies changes as POST /configs with basedOnId does: null removes', () => {
    expect(applyConfigChanges({ a: 1, b: 2 }, { a: 3, b: null, c: 4 })).toEqual({ a: 3, c: 4 });
  });

  it('says plainly when trading resumes or pauses', () => {
    const resume = activationWarnings(diffConfigValues({ pauseOrders: true }, { pauseOrders: false }));
    expect(resume).toEqual([expect.objectContaining({ key: 'pauseOrders', tone: 'bad' })]);
    expect(resume[0].text).toContain('This RESUMES trading: pauseOrders true → false');
    // Removing the key resumes too: the bot's default is not paused.
    expect(activationWarnings(diffConfigValues({ pauseOrders: true }, {}))[0].text).toContain('RESUMES');
    const pause = activationWarnings(diffConfigValues({}, { pauseOrders: true }));
    expect(pause[0]).toEqual(expect.objectContaining({ tone: 'warn' }));
    expect(pause[0].text).toContain('This PAUSES trading: pauseOrders false → true');
    // false → unset changes the stored value but not what the bots do.
    expect(activationWarnings(diffConfigValues({ pauseOrders: false }, {}))).toEqual([]);
  });

  it('warns when the mode changes, loudest when it goes live', () => {
    const live = activationWarnings(diffConfigValues({}, { mode: 'live' }));
    expect(live).toEqual([expect.objectContaining({ key: 'mode', tone: 'bad' })]);
    expect(live[0].text).toContain('mode dry_run → live');
    expect(activationWarnings(diffConfigValues({ mode: 'live' }, { mode: 'dry_run' }))[0]).toEqual(
      expect.objectContaining({ tone: 'warn', text: expect.stringContaining('mode live → dry_run') }),
    );
    expect(activationWarnings(diffConfigValues({ mode: 'dry_run' }, {}))).toEqual([]);
  });

  it('builds a preview against what the bots get now', () => {
    const p = previewBetween(
      'activate',
      { id: 2, values: { pauseOrders: true, mmSpreadMin: 0.02 } },
      { id: 6, values: { pauseOrders: false, mmSpreadMin: 0.02 } },
    );
    expect(p.activeId).toBe(2);
    expect(p.targetId).toBe(6);
    expect(p.changes.map((c) => c.key)).toEqual(['pauseOrders']);
    expect(isRiskyActivation(p)).toBe(true);
    expect(p.unchanged).toEqual(['mode stays dry_run.']);
    const first = previewBetween('activate', null, { id: 1, values: { mmSpreadMin: 0.02 } });
    expect(first.activeId).toBeNull();
    expect(first.changes).toEqual([{ key: 'mmSpreadMin', change: 'added', from: null, to: 0.02 }]);
    expect(isRiskyActivation(first)).toBe(false);
    expect(first.unchanged).toEqual([
      'pauseOrders stays false: trading is not paused.',
      'mode stays dry_run.',
    ]);
    const stillPaused = previewBetween(
      'activate',
      { id: 3, values: { pauseOrders: true, mode: 'live' } },
      { id: 4, values: { pauseOrders: true, mode: 'live', a: 1 } },
    );
    expect(stillPaused.unchanged).toEqual([
      'pauseOrders stays true: orders stay paused.',
      'mode stays live.',
    ]);
  });

  it('takes the warnings from the server preview flags', () => {
    const p = previewFromServer('rollback', {
      configId: 1,
      activeConfigId: 4,
      changes: [
        { key: 'mode', change: 'changed', from: 'dry_run', to: 'live' },
        { key: 'pauseOrders', change: 'removed', from: true, to: null },
      ],
      changesMode: true,
      mode: { from: 'dry_run', to: 'live' },
      changesPauseOrders: true,
      pauseOrders: { from: true, to: false },
    });
    expect(p).toEqual(
      expect.objectContaining({ action: 'rollback', activeId: 4, targetId: 1, unchanged: [] }),
    );
    expect(p.warnings.map((w) => w.text)).toEqual([
      expect.stringContaining('This RESUMES trading: pauseOrders true → false'),
      expect.stringContaining('LIVE trading'),
    ]);
    const calm = previewFromServer('activate', {
      configId: 5,
      activeConfigId: 4,
      changes: [],
      changesMode: false,
      mode: { from: 'live', to: 'live' },
      changesPauseOrders: false,
      pauseOrders: { from: true, to: true },
    });
    expect(calm.warnings).toEqual([]);
    expect(calm.unchanged).toEqual(['pauseOrders stays true: orders stay paused.', 'mode stays live.']);
  });
});
