import type { Analysis, ComparisonGroup, Run } from '@polymaker/admin/data-access';
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
        average: scores.length
          ? Math.round((scores.reduce((a, b) => a + b, 0) / scores.length) * 10) / 10
          : null,
        best: scores.length ? Math.max(...scores) : null,
        worst: scores.length ? Math.min(...scores) : null,
        totalPnl: sumDecimals(list.map((r) => r.totalPnl)),
      };
    })
    .sort((a, b) => (b.configId ?? 0) - (a.configId ?? 0));
}

/** The overall score of each analysis over time, one scatter series per config version. */
export function scoreSeries(
  analyses: readonly Pick<Analysis, 'analyzedAt' | 'overallScore' | 'configId'>[],
): Array<{ name: string; points: Array<[number, number]>; kind: 'scatter' }> {
  const byVersion = new Map<string, Array<[number, number]>>();
  for (const a of analyses) {
    const name = a.configId ? `v${a.configId}` : 'no config';
    byVersion.set(name, [...(byVersion.get(name) ?? []), [Date.parse(a.analyzedAt), a.overallScore]]);
  }
  return [...byVersion.entries()]
    .sort(([a], [b]) => a.localeCompare(b, undefined, { numeric: true }))
    .map(([name, points]) => ({
      name,
      points: points.sort((x, y) => x[0] - y[0]),
      kind: 'scatter' as const,
    }));
}

/** The best group of a comparison by average score (null when none is scored). */
export function bestGroup(groups: readonly ComparisonGroup[]): number | null {
  let best: ComparisonGroup | null = null;
  for (const g of groups)
    if (g.avgScore !== null && (best === null || g.avgScore > (best.avgScore ?? -1))) best = g;
  return best?.configId ?? null;
}
