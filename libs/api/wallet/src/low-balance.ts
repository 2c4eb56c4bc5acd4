import { compareDecimal, multiplyDecimal } from '@polymaker/api/core';

/**
 * A source below the threshold is only "recovered" once its balance is this many percent above it:
 * a balance hovering at the threshold (or several runs of one bot reporting balances on both sides
 * of it) is one crossing, not one alert per swing.
 */
export const REARM_PERCENT = 5;
const REARM_FACTOR = multiplyDecimal(String(100 + REARM_PERCENT), '0.01');

export type Crossing = 'alert' | 'suppressed' | 'recovered' | 'unchanged';

export interface AlertState {
  below: boolean;
  /** When the last alert for this source went out (epoch ms), or null. */
  lastAlertAt: number | null;
}

/** Whether balance ≥ threshold × (100 + REARM_PERCENT) / 100, exactly. */
export function aboveRearm(balance: string, threshold: string): boolean {
  return compareDecimal(balance, multiplyDecimal(threshold, REARM_FACTOR)) >= 0;
}

/**
 * What to do with a new balance reading: alert on a fall below the threshold (unless an alert for
 * the same source went out less than `cooldownMs` ago: then it is noted as below, silently), and
 * re-arm only once the balance is REARM_PERCENT above the threshold.
 */
export function crossing(
  balance: string,
  threshold: string,
  state: AlertState,
  now: number,
  cooldownMs: number,
): Crossing {
  const below = compareDecimal(balance, threshold) < 0;
  if (below && !state.below)
    return state.lastAlertAt !== null && now - state.lastAlertAt < cooldownMs ? 'suppressed' : 'alert';
  if (state.below && aboveRearm(balance, threshold)) return 'recovered';
  return 'unchanged';
}
