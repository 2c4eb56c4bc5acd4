import { Run } from '@polymaker/admin/data-access';
import { sumDecimals } from '@polymaker/admin/util';

export interface VersionScore {
  configId: number | null;
  runs: number;
  scored: number;
  average: number | null;
  best: number | null;
  worst: number | null;
  totalPnl: string;
}

/** Scores and P&L per config version, from the runs' analyses. */
export function scoresByVersion(runs: readonly Run[]): VersionScore[] {
  const groups = new Map<number | null, Run[]>();
  for (const r of runs) groups.set(r.configId, [...(groups.get(r.configId) ?? []), r]);
  return [...groups.entries()]
    .map(([configId, list]) => {
      const scores = list.map((r) => r.overallScore).filter((s): s is number => typeof s === 'number');
      return {
        configId,
        runs: list.length,
        scored: scores.length,
        average: scores.length ? Math.round((scores.reduce((a, b) => a + b, 0) / scores.length) * 10) / 10 : null,
        best: scores.length ? Math.max(...scores) : null,
        worst: scores.length ? Math.min(...scores) : null,
        totalPnl: sumDecimals(list.map((r) => r.totalPnl)),
      };
    })
    .sort((a, b) => (b.configId ?? 0) - (a.configId ?? 0));
}
