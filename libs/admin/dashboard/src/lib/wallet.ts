import type { NotificationItem, WalletSeries } from '@polymaker/admin/data-access';
import type { ChartSeries } from '@polymaker/admin/ui';
import { decimalToNumber } from '@polymaker/admin/util';

/** Unread notifications that are open alerts: a low wallet, a stale run, a run that ended in error. */
export function alertNotifications(items: readonly NotificationItem[]): NotificationItem[] {
  return items.filter((n) => !n.read && (n.kind === 'wallet-low' || n.kind === 'run-stale' || n.kind === 'run-error'));
}

/** The wallet balance over time: one line per bot (API key) from its metric pushes, and one for the watched address (USDC). */
export function walletChartSeries(series: WalletSeries | undefined): ChartSeries[] {
  if (!series) return [];
  const byBot = new Map<string, Array<[number, number]>>();
  for (const p of series.bot) {
    const value = decimalToNumber(p.walletBalance);
    if (value === null) continue;
    const name = p.apiKeyId === null ? 'bots' : `bot key #${p.apiKeyId}`;
    byBot.set(name, [...(byBot.get(name) ?? []), [Date.parse(p.at), value]]);
  }
  const out: ChartSeries[] = [...byBot.entries()].map(([name, points]) => ({ name, points: points.sort((a, b) => a[0] - b[0]), step: true }));
  const chain = series.chain.map((r) => [Date.parse(r.at), decimalToNumber(r.usdc)] as const).filter((p): p is readonly [number, number] => p[1] !== null);
  if (chain.length) out.push({ name: 'watched address (USDC)', points: chain.map(([t, v]) => [t, v] as [number, number]) });
  return out;
}
