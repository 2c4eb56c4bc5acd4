import { seededRandom } from './evidence';
import { compareVersions, EXPERIMENT_METHOD, ExperimentSegment, VersionFigures } from './experiment';

/** Segments of one hour (or a random 0.5-2 h) with P&L per hour drawn from a seeded normal. */
function segments(seed: number, count: number, perHour: number, sd = 1, firstRun = 1): ExperimentSegment[] {
  const random = seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return Array.from({ length: count }, (_, i) => {
    const hours = 0.5 + 1.5 * random();
    return { runId: firstRun + i, hours, pnl: hours * perHour + Math.sqrt(hours) * sd * normal(), orders: 100, fills: 30, maxDrawdown: 1 };
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
    expect(b.verdict).toMatch(/^v2 earns \d+\.\d\d USDC\/h more than v1, 95 % CI \d+\.\d\d to \d+\.\d\d, from 40 runs \(\d+(\.\d)? h\)\.$/);
    expect(result.versions.map((v) => v.runs)).toEqual([20, 20]);
    expect(result.method).toBe(EXPERIMENT_METHOD);
  });

  it('does not tell apart two versions that do not differ, in at least 95 % of seeds', () => {
    let told = 0;
    const seeds = 100;
    for (let seed = 1; seed <= seeds; seed++) {
      const result = compareVersions(versions(segments(seed * 31, 15, 1), segments(seed * 31 + 7, 15, 1, 1, 100)), seed);
      if (result.comparisons[0].significant) told += 1;
    }
    expect(told / seeds).toBeLessThanOrEqual(0.05);
  });

  it('says how many more hours a small difference needs, and says it is not enough data below 3 segments', () => {
    const small = compareVersions(versions(segments(5, 6, 1), segments(6, 6, 1.4, 1, 100)));
    expect(small.comparisons[0].significant).toBe(false);
    expect(small.comparisons[0].verdict).toMatch(/^Not enough evidence yet \(v2 − v1: -?\d+\.\d\d USDC\/h, 95 % CI .*\): about \d+ more hours needed\.$/);
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
});
