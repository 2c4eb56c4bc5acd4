import { decimalToNumber } from '@polymaker/admin/util';
import { MetricPoint } from './models';

/** [time in ms, value] pairs for a chart; points without a numeric value are left out. */
export function metricSeries(points: readonly MetricPoint[], key: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const point of points) {
    const raw = key in point ? point[key] : point.extra?.[key];
    const value = decimalToNumber(raw);
    const at = Date.parse(point.at);
    if (value !== null && !Number.isNaN(at)) out.push([at, value]);
  }
  return out;
}

/** Drawdown from the running peak of P&L (≤ 0), for the drawdown chart when the bot does not send maxDrawdown per point. */
export function drawdownSeries(pnl: ReadonlyArray<[number, number]>): Array<[number, number]> {
  let peak = -Infinity;
  return pnl.map(([at, value]) => {
    peak = Math.max(peak, value);
    return [at, Number((value - peak).toFixed(8))];
  });
}

/** Every key present in the points, other than `at` and `extra` (the contract metrics the bot sent). */
export function metricKeys(points: readonly MetricPoint[]): string[] {
  const keys = new Set<string>();
  for (const point of points)
    for (const key of Object.keys(point)) if (key !== 'at' && key !== 'extra') keys.add(key);
  return [...keys].sort();
}

/** Fills ÷ orders as a percentage, or null when unknown. */
export function fillRate(
  totalFills: number | null | undefined,
  totalOrders: number | null | undefined,
): number | null {
  if (totalFills == null || !totalOrders) return null;
  return (totalFills / totalOrders) * 100;
}
