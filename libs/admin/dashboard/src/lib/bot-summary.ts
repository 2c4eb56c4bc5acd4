import { ApiKey, Run, fillRate } from '@polymaker/admin/data-access';
import { sumDecimals } from '@polymaker/admin/util';

export interface BotSummary {
  apiKeyId: number | null;
  name: string;
  runs: Run[];
  totalPnl: string;
  totalFills: number;
  totalOrders: number;
  fillRate: number | null;
  cycles: number;
  walletBalance: string | null;
  lastUpdateAt: string | null;
}

function metricString(run: Run, key: string): string | null {
  const value = run.metrics?.[key];
  if (value === null || value === undefined) return null;
  return typeof value === 'number' ? String(value) : typeof value === 'string' ? value : null;
}

/** Groups running runs per bot (API key) and adds up their figures exactly. */
export function summarizeBots(runs: readonly Run[], keys: readonly ApiKey[]): BotSummary[] {
  const names = new Map(keys.map((k) => [k.id, k.name]));
  const groups = new Map<number | null, Run[]>();
  for (const run of runs) groups.set(run.apiKeyId, [...(groups.get(run.apiKeyId) ?? []), run]);
  return [...groups.entries()]
    .map(([apiKeyId, group]) => summarize(group, apiKeyId, apiKeyId === null ? 'Unknown bot' : (names.get(apiKeyId) ?? `Key #${apiKeyId}`)))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export function summarize(runs: readonly Run[], apiKeyId: number | null, name: string): BotSummary {
  const totalFills = runs.reduce((n, r) => n + (r.totalFills ?? 0), 0);
  const totalOrders = runs.reduce((n, r) => n + (r.totalOrders ?? 0), 0);
  const wallets = runs.map((r) => metricString(r, 'walletBalance')).filter((v): v is string => v !== null);
  const lastUpdateAt = runs.map((r) => r.lastUpdateAt).sort().at(-1) ?? null;
  return {
    apiKeyId,
    name,
    runs: [...runs],
    totalPnl: sumDecimals(runs.map((r) => r.totalPnl)),
    totalFills,
    totalOrders,
    fillRate: fillRate(totalFills, totalOrders),
    cycles: runs.reduce((n, r) => n + (Number(r.metrics?.['totalCycles']) || 0), 0),
    walletBalance: wallets.length ? sumDecimals(wallets) : null,
    lastUpdateAt,
  };
}
