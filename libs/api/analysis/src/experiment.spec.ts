import { seededRandom } from './evidence';
import { compareVersions, EXPERIMENT_METHOD, ExperimentSegment, VersionFigures } from './experiment';

/** Segments of one hour (or a random 0.5-2 h) with P&L per hour drawn from a seeded normal. */
function segments(seed: number, count: number, perHour: number, sd = 1, firstRun = 1): ExperimentSegment[] {
  const random = seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return Array.from({ length: count }, (_, i) => {
    const hours = 0.5 + 1.5 * random();
    return {
      runId: firstRun + i,
      hours,
      pnl: hours * perHour + Math.sqrt(hours) * sd * normal(),
      orders: 100,
      fills: 30,
      maxDrawdown: 1,
    };
  });
}
const versions = (a: ExperimentSegment[], b: ExperimentSegment[]): VersionFigures[] => [
  { configId: 1, segments: a },
  { configId: 2, segments: b },
];

describe('compareVersions', () => {
  it('tells two versions that really differ apart, in plain words with the interval and the runs', () => {
    const result = compareVersions(versions(segments(1, 20, 1), segments(2, 20, 2, 1, 100)));
    const [b] = result.comparisons;
    expect(b.significant).toBe(true);
    expect(b.low).toBeGreaterThan(0);
    expect(b.verdict).toMatch(
      /^v2 earns \d+\.\d\d USDC\/h more than v1, 95 % CI \d+\.\d\d to \d+\.\d\d, from 40 runs \(\d+(\.\d)? h\)\.$/,
    );
    expect(result.versions.map((v) => v.runs)).toEqual([20, 20]);
    expect(result.method).toBe(EXPERIMENT_METHOD);
  });

  it('does not tell apart two versions that do not differ, in at least 95 % of seeds', () => {
    let told = 0;
    const seeds = 100;
    for (let seed = 1; seed <= seeds; seed++) {
      const result = compareVersions(
        versions(segments(seed * 31, 15, 1), segments(seed * 31 + 7, 15, 1, 1, 100)),
        seed,
      );
      if (result.comparisons[0].significant) told += 1;
    }
    expect(told / seeds).toBeLessThanOrEqual(0.05);
  });

  it('says how many more hours a small difference needs, and says it is not enough data below 3 segments', () => {
    const small = compareVersions(versions(segments(5, 6, 1), segments(6, 6, 1.4, 1, 100)));
    expect(small.comparisons[0].significant).toBe(false);
    expect(small.comparisons[0].verdict).toMatch(
      /^Not enough evidence yet \(v2 − v1: -?\d+\.\d\d USDC\/h, 95 % CI .*\): about \d+ more hours? needed\.$/,
    );
    // under an hour it is said in minutes (a demo at x30 compares versions over minutes)
    const brief = versions(segments(5, 6, 1), segments(6, 6, 1.4, 1, 100)).map((v) => ({
      ...v,
      segments: v.segments.map((s) => ({ ...s, hours: s.hours / 10_000, pnl: s.pnl / 10_000 })),
    }));
    expect(compareVersions(brief).comparisons[0].verdict).toMatch(/: about \d+ more minutes? needed\.$/);
    const thin = compareVersions(versions(segments(5, 2, 1), segments(6, 6, 1.4)));
    expect(thin.comparisons[0].verdict).toContain('at least 3 segments');
  });

  it('corrects for several versions against the same baseline', () => {
    const result = compareVersions([
      { configId: 1, segments: segments(1, 20, 1) },
      { configId: 2, segments: segments(2, 20, 1, 1, 100) },
      { configId: 3, segments: segments(3, 20, 3, 1, 200) },
    ]);
    expect(result.comparisons.map((c) => c.configId)).toEqual([2, 3]);
    expect(result.comparisons[1].significant).toBe(true);
    expect(result.comparisons[0].p ?? 0).toBeGreaterThanOrEqual(0);
  });

  it('gives each version its scores weighted by hours under it, with an interval from the bootstrap', () => {
    // three 1 h segments scoring 60 and one 3 h segment scoring 80: weighted 70, not the plain mean 65
    const scored = (runId: number, hours: number, spread: number | null): ExperimentSegment => ({
      runId,
      hours,
      pnl: hours,
      orders: 10,
      fills: 3,
      maxDrawdown: 0,
      scores: { overall: spread === null ? null : spread - 10, spreadCapture: spread },
    });
    const a = [scored(1, 1, 60), scored(2, 1, 60), scored(3, 1, 60), scored(4, 3, 80)];
    const b = [scored(5, 1, 40), scored(6, 1, null), scored(7, 1, 40)];
    const [first, second] = compareVersions(versions(a, b)).versions;
    expect(first.subScores.map((s) => s.name)).toEqual(['overall', 'spreadCapture']);
    const spread = first.subScores[1];
    expect(spread).toMatchObject({ mean: 70, segments: 4 });
    expect(spread.low).not.toBeNull();
    expect(spread.low ?? 0).toBeGreaterThanOrEqual(60);
    expect(spread.high ?? 0).toBeLessThanOrEqual(80);
    expect((spread.high ?? 0) - (spread.low ?? 0)).toBeGreaterThan(0);
    // two scored segments are too few for an interval; the unscored one is not counted as zero
    expect(second.subScores[1]).toEqual({
      name: 'spreadCapture',
      mean: 40,
      low: null,
      high: null,
      segments: 2,
    });
    // segments without scores: no sub-scores, nothing invented
    expect(compareVersions(versions(segments(1, 5, 1), segments(2, 5, 1))).versions[0].subScores).toEqual([]);
  });

  it('leaves the P&L comparison as it was without scores', () => {
    const plain = versions(segments(1, 20, 1), segments(2, 20, 2, 1, 100));
    const withScores = plain.map((v) => ({
      ...v,
      segments: v.segments.map((s) => ({ ...s, scores: { overall: 50 } })),
    }));
    expect(compareVersions(withScores).comparisons).toEqual(compareVersions(plain).comparisons);
  });
});
