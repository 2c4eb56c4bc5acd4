import { cutRun, RunToCut, segmentMs, ServedSpan, VersionSegment } from './version-segments';

const T0 = Date.parse('2026-12-01T10:00:00Z');
/** The instant `minutes` after 10:00. */
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
const span = (minutes: number, configId: number, paused = false): ServedSpan => ({
  configId,
  paused,
  startedAt: at(minutes),
});
const run = (fields: Partial<RunToCut> & { from: number; to: number }): RunToCut => ({
  runId: 7,
  botId: 3,
  configId: 1,
  startedAt: at(fields.from),
  endedAt: at(fields.to),
  ...fields,
});
/** [configId, paused, from minute, to minute] of each segment: what the tests compare. */
const shape = (segments: VersionSegment[]) =>
  segments.map((s) => [
    s.configId,
    s.paused,
    (s.from.getTime() - T0) / 60_000,
    (s.to.getTime() - T0) / 60_000,
  ]);

describe('cutRun: a run cut into segments by the version its bot was served', () => {
  it('a run that picked up v5 at a poll 16 minutes in spends 16 minutes on v1 and 14 on v5', () => {
    const segments = cutRun(run({ from: 0, to: 30 }), [span(-60, 1), span(16, 5)]);
    expect(shape(segments)).toEqual([
      [1, false, 0, 16],
      [5, false, 16, 30],
    ]);
    expect(segments.map(segmentMs)).toEqual([16 * 60_000, 14 * 60_000]);
    expect(segments.map((s) => [s.opensRun, s.closesRun])).toEqual([
      [true, false],
      [false, true],
    ]);
  });

  it("the run's own version covers the time before the first span inside it, whatever the span in force said", () => {
    // the bot was last served v2, but started its run naming v3 (its own claim wins until a poll says otherwise)
    expect(shape(cutRun(run({ from: 0, to: 60, configId: 3 }), [span(-10, 2), span(20, 4)]))).toEqual([
      [3, false, 0, 20],
      [4, false, 20, 60],
    ]);
    // a span begun exactly at the start is "in force at the start": it does not override the run's version
    expect(shape(cutRun(run({ from: 0, to: 60, configId: 3 }), [span(0, 2)]))).toEqual([[3, false, 0, 60]]);
  });

  it('a gap between spans keeps the previous version; spans after the run change nothing', () => {
    // v2 from minute 10; the bot stops polling at 15 (its span's lastSeenAt), v3 only at 50: v2 until 50
    expect(
      shape(cutRun(run({ from: 0, to: 60 }), [span(10, 2), span(50, 3), span(60, 4), span(90, 5)])),
    ).toEqual([
      [1, false, 0, 10],
      [2, false, 10, 50],
      [3, false, 50, 60],
    ]);
  });

  it('pause is a segment attribute: a paused stretch of the same version is a segment of its own', () => {
    const segments = cutRun(run({ from: 0, to: 60 }), [
      span(-5, 1),
      span(10, 1, true),
      span(25, 1),
      span(40, 2),
    ]);
    expect(shape(segments)).toEqual([
      [1, false, 0, 10],
      [1, true, 10, 25],
      [1, false, 25, 40],
      [2, false, 40, 60],
    ]);
    // paused from before the start: the first segment is paused too
    expect(shape(cutRun(run({ from: 0, to: 30 }), [span(-5, 1, true), span(12, 1)]))).toEqual([
      [1, true, 0, 12],
      [1, false, 12, 30],
    ]);
  });

  it('a span repeating the current state does not split the run', () => {
    expect(shape(cutRun(run({ from: 0, to: 30, configId: 2 }), [span(-5, 1), span(10, 2)]))).toEqual([
      [2, false, 0, 30],
    ]);
  });

  it('runs without a bot (or with no spans) are under their own version for the whole run', () => {
    const segments = cutRun(run({ from: 0, to: 45, botId: null }), []);
    expect(shape(segments)).toEqual([[1, false, 0, 45]]);
    expect([segments[0].opensRun, segments[0].closesRun]).toEqual([true, true]);
    // a run that named no version: the span in force at its start, else none
    expect(shape(cutRun(run({ from: 0, to: 45, configId: null }), [span(-5, 6), span(30, 7)]))).toEqual([
      [6, false, 0, 30],
      [7, false, 30, 45],
    ]);
    expect(shape(cutRun(run({ from: 0, to: 45, configId: null }), []))).toEqual([[null, false, 0, 45]]);
  });

  it('clips to the window: only the part inside counts, and the edges are not the run’s own', () => {
    const spans = [span(-60, 1), span(16, 5)];
    const segments = cutRun(run({ from: 0, to: 30 }), spans, { from: at(10), to: at(20) });
    expect(shape(segments)).toEqual([
      [1, false, 10, 16],
      [5, false, 16, 20],
    ]);
    expect(segments.map((s) => [s.opensRun, s.closesRun])).toEqual([
      [false, false],
      [false, false],
    ]);
    // a window that starts after the change: v5 only (the span begun before the window is in force)
    expect(shape(cutRun(run({ from: 0, to: 30 }), spans, { from: at(20), to: at(90) }))).toEqual([
      [5, false, 20, 30],
    ]);
    // a run outside the window, or only touching its start
    expect(cutRun(run({ from: 0, to: 30 }), spans, { from: at(40), to: at(90) })).toEqual([]);
    expect(cutRun(run({ from: 0, to: 30 }), spans, { from: at(30), to: at(90) })).toEqual([]);
  });

  it('a run of no length inside the window keeps one empty segment (its trades still count); an end before the start is the start', () => {
    const empty = cutRun(run({ from: 5, to: 5 }), [span(0, 2)]);
    expect(shape(empty)).toEqual([[1, false, 5, 5]]);
    expect([empty[0].opensRun, empty[0].closesRun]).toEqual([true, true]);
    expect(shape(cutRun(run({ from: 5, to: 3 }), []))).toEqual([[1, false, 5, 5]]);
    expect(cutRun(run({ from: 5, to: 5 }), [], { from: at(6), to: at(9) })).toEqual([]);
  });

  it('segments cover the run exactly: their lengths add up to its duration', () => {
    const spans = [span(-3, 1), span(7, 2), span(7.5, 2, true), span(33, 3), span(34, 1), span(59, 4)];
    const segments = cutRun(run({ from: 0, to: 60 }), spans);
    expect(segments.reduce((ms, s) => ms + segmentMs(s), 0)).toBe(60 * 60_000);
    for (let i = 1; i < segments.length; i++)
      expect(segments[i].from.getTime()).toBe(segments[i - 1].to.getTime());
    expect(shape(segments).map(([configId, paused]) => `${configId}${paused ? 'p' : ''}`)).toEqual([
      '1',
      '2',
      '2p',
      '3',
      '1',
      '4',
    ]);
  });
});
