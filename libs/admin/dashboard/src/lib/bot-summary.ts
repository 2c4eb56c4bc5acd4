import { Bot, Run, fillRate } from '@polymaker/admin/data-access';
import { sumDecimals } from '@polymaker/admin/util';

export interface BotSummary {
  /** The bot (the first key of its rotation chain), as GET /api/v1/bots lists it; null: runs without a bot. */
  botId: number | null;
  name: string;
  runs: Run[];
  /** The exact sum of the runs' totalPnl as the bots report it (it may include unrealised value). */
  reportedPnl: string;
  totalFills: number;
  totalOrders: number;
  fillRate: number | null;
  cycles: number;
  lastUpdateAt: string | null;
}

/** A bot's name as the Bots page shows it (GET /api/v1/bots), whichever of its keys ran the run. */
export function botNamer(bots: readonly Pick<Bot, 'botId' | 'name'>[]): (botId: number | null) => string {
  const names = new Map(bots.map((b) => [b.botId, b.name]));
  return (botId) => (botId === null ? 'Runs without a bot' : (names.get(botId) ?? `Bot #${botId}`));
}

/** Groups running runs per bot (botId: a rotated key keeps its bot) and adds up their figures exactly. */
export function summarizeBots(runs: readonly Run[], name: (botId: number | null) => string): BotSummary[] {
  const groups = new Map<number | null, Run[]>();
  for (const run of runs) groups.set(run.botId, [...(groups.get(run.botId) ?? []), run]);
  return [...groups.entries()]
    .map(([botId, group]) => summarize(group, botId, name(botId)))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export function summarize(runs: readonly Run[], botId: number | null, name: string): BotSummary {
  const totalFills = runs.reduce((n, r) => n + (r.totalFills ?? 0), 0);
  const totalOrders = runs.reduce((n, r) => n + (r.totalOrders ?? 0), 0);
  const lastUpdateAt =
    runs
      .map((r) => r.lastUpdateAt)
      .sort()
      .at(-1) ?? null;
  return {
    botId,
    name,
    runs: [...runs],
    reportedPnl: sumDecimals(runs.map((r) => r.totalPnl)),
    totalFills,
    totalOrders,
    fillRate: fillRate(totalFills, totalOrders),
    cycles: runs.reduce((n, r) => n + (Number(r.metrics?.['totalCycles']) || 0), 0),
    lastUpdateAt,
  };
}
