import { aboveRearm, AlertState, crossing } from './low-balance';

/** Feeds readings through `crossing` as the service does, one minute apart. */
function replay(readings: string[], threshold: string, cooldownMs: number): string[] {
  const state: AlertState = { below: false, lastAlertAt: null };
  return readings.map((balance, i) => {
    const now = i * 60_000;
    const result = crossing(balance, threshold, state, now, cooldownMs);
    if (result === 'alert') Object.assign(state, { below: true, lastAlertAt: now });
    if (result === 'suppressed') state.below = true;
    if (result === 'recovered') state.below = false;
    return result;
  });
}

describe('low-balance crossing', () => {
  it('alerts once when the balance falls below, not again while it stays below', () => {
    expect(replay(['120', '60', '49.99', '40', '10', '55', '30'], '50', 0)).toEqual([
      'unchanged',
      'unchanged',
      'alert',
      'unchanged',
      'unchanged',
      'recovered',
      'alert',
    ]);
  });

  it('treats the threshold itself as not low', () => {
    expect(crossing('50', '50', { below: false, lastAlertAt: null }, 0, 0)).toBe('unchanged');
  });

  it('re-arms only 5 % above the threshold: a balance hovering at it is one alert', () => {
    // Several runs of one bot interleave balances on both sides of 50: one crossing, not one per swing.
    const hovering = ['51', '49', '51', '49.5', '52', '48', '52.49', '49'];
    expect(replay(hovering, '50', 0).filter((r) => r === 'alert')).toHaveLength(1);
    expect(aboveRearm('52.5', '50')).toBe(true);
    expect(aboveRearm('52.49', '50')).toBe(false);
    expect(aboveRearm('0.000105', '0.0001')).toBe(true);
  });

  it('waits out the cooldown before alerting the same source again', () => {
    // Falls, recovers well above, falls again two minutes later: the second fall is noted, not sent.
    expect(replay(['40', '80', '40', '80'], '50', 15 * 60_000)).toEqual([
      'alert',
      'recovered',
      'suppressed',
      'recovered',
    ]);
    const later = ['40', '80', ...Array<string>(14).fill('80'), '40'];
    expect(replay(later, '50', 15 * 60_000).filter((r) => r === 'alert')).toHaveLength(2);
  });
});
