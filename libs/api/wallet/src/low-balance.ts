import { compareDecimal } from '@polymaker/api/core';

/** What to do with a new balance reading, given whether the source was already below the threshold. */
export function crossing(balance: string, threshold: string, wasBelow: boolean): 'alert' | 'recovered' | 'unchanged' {
  const below = compareDecimal(balance, threshold) < 0;
  if (below && !wasBelow) return 'alert';
  if (!below && wasBelow) return 'recovered';
  return 'unchanged';
}
