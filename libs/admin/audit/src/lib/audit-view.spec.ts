import { actionLabel, compactChanges, showAuditValue } from './audit-view';

describe('audit compact diff', () => {
  it('opens up an activation entry to the config keys that changed', () => {
    const before = { activeConfigId: 2, values: { pauseOrders: true, mmSpreadMin: 0.02 } };
    const after = { activeConfigId: 6, values: { pauseOrders: false, mmSpreadMin: 0.02 } };
    expect(compactChanges(before, after)).toEqual([
      { path: 'activeConfigId', before: 2, after: 6 },
      { path: 'values.pauseOrders', before: true, after: false },
    ]);
  });

  it('lists a creation and a removal with the absent side undefined', () => {
    expect(compactChanges(null, { name: 'box', scope: 'bot' })).toEqual([
      { path: 'name', before: undefined, after: 'box' },
      { path: 'scope', before: undefined, after: 'bot' },
    ]);
    expect(compactChanges({ revokedAt: null }, { revokedAt: '2026-01-01T00:00:00Z' })).toEqual([
      { path: 'revokedAt', before: undefined, after: '2026-01-01T00:00:00Z' },
    ]);
    expect(compactChanges(null, null)).toEqual([]);
    expect(compactChanges(null, { configId: 7, basedOnId: null })).toEqual([
      { path: 'configId', before: undefined, after: 7 },
    ]);
  });

  it('keeps deeper values whole', () => {
    expect(compactChanges({ v: { w: { x: 1 } } }, { v: { w: { x: 2 } } })).toEqual([
      { path: 'v.w', before: { x: 1 }, after: { x: 2 } },
    ]);
  });

  it('reads values and actions plainly', () => {
    expect(showAuditValue(undefined)).toBe('—');
    expect(showAuditValue('live')).toBe('live');
    expect(showAuditValue([1, 2])).toBe('[1,2]');
    expect(actionLabel('config.rolled-back')).toBe('config rolled back');
  });
});
