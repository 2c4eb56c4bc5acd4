import type { MetricPoint, Run } from '@polymaker/admin/data-access';
import { RunSeriesBook, appendPoint, applyRunUpdate, pointOf, readRunUpdate } from './live-runs';

const t = (s: number) => new Date(Date.parse('2026-01-01T00:00:00Z') + s * 1000).toISOString();
const p = (s: number, totalPnl: string): MetricPoint => ({ at: t(s), totalPnl, extra: {} });

const run: Run = {
  id: 4,
  apiKeyId: 2,
  botId: 2,
  configId: 1,
  mode: 'dry_run',
  status: 'running',
  startingBankroll: '500',
  startedAt: t(0),
  lastUpdateAt: t(10),
  stoppedAt: null,
  errorMessage: null,
  durationSeconds: 10,
  totalPnl: '1.5',
  totalFills: 3,
  totalOrders: 6,
  overallScore: null,
  metrics: { totalPnl: '1.5', totalCycles: 4, walletBalance: '470' },
  extra: { note: 'a' },
};

describe('readRunUpdate', () => {
  it('reads a run.updated payload as the API publishes it', () => {
    const read = readRunUpdate({
      runId: 4,
      apiKeyId: 2,
      botId: 2,
      metrics: { totalPnl: '2.25' },
      extra: { x: 1 },
      at: t(20),
      occurredAt: t(20),
    });
    expect(read).toEqual({
      kind: 'point',
      update: { runId: 4, botId: 2, at: t(20), metrics: { totalPnl: '2.25' }, extra: { x: 1 } },
    });
    expect(pointOf(read?.kind === 'point' ? read.update : (undefined as never))).toEqual({
      totalPnl: '2.25',
      at: t(20),
      extra: { x: 1 },
    });
  });

  it('turns a slimmed (truncated) or broken payload of a run into a gap, and anything else into nothing', () => {
    expect(readRunUpdate({ runId: 4, apiKeyId: 2, botId: 2, truncated: true, occurredAt: t(1) })).toEqual({
      kind: 'gap',
      runId: 4,
    });
    expect(readRunUpdate({ runId: 4, metrics: {}, at: 'yesterday' })).toEqual({ kind: 'gap', runId: 4 });
    expect(readRunUpdate({ runId: 4, metrics: [1], at: t(1) })).toEqual({ kind: 'gap', runId: 4 });
    for (const bad of [null, 'x', [], { runId: '4' }, { runId: -1 }, { runId: 1.5 }])
      expect(readRunUpdate(bad)).toBeNull();
    const read = readRunUpdate({ runId: 4, botId: 'x', metrics: {}, extra: 'y', at: t(1) });
    expect(read).toEqual({
      kind: 'point',
      update: { runId: 4, botId: null, at: t(1), metrics: {}, extra: {} },
    });
  });
});

describe('applyRunUpdate', () => {
  it('lays a push over the run as run/update does: figures it carries, metrics merged', () => {
    const next = applyRunUpdate(run, {
      runId: 4,
      botId: 2,
      at: t(20),
      metrics: { totalPnl: '-0.75', totalFills: 5, walletBalance: '469.1' },
      extra: { more: true },
    });
    expect(next).toMatchObject({
      totalPnl: '-0.75',
      totalFills: 5,
      totalOrders: 6,
      lastUpdateAt: t(20),
      status: 'running',
    });
    expect(next.metrics).toEqual({
      totalPnl: '-0.75',
      totalCycles: 4,
      walletBalance: '469.1',
      totalFills: 5,
    });
    expect(next.extra).toEqual({ note: 'a', more: true });
  });

  it('brings a stale run back, and ignores a push older than what it shows', () => {
    expect(
      applyRunUpdate({ ...run, status: 'stale' }, { runId: 4, botId: 2, at: t(11), metrics: {}, extra: {} })
        .status,
    ).toBe('running');
    expect(applyRunUpdate(run, { runId: 4, botId: 2, at: t(5), metrics: { totalPnl: '9' }, extra: {} })).toBe(
      run,
    );
    expect(
      applyRunUpdate(run, {
        runId: 4,
        botId: 2,
        at: t(11),
        metrics: { totalPnl: null, totalOrders: -1 },
        extra: {},
      }),
    ).toMatchObject({ totalPnl: null, totalOrders: null });
  });
});

describe('the series book', () => {
  it('appends only what is newer than the last point, and keeps the newest', () => {
    const series = [p(1, '0'), p(2, '1')];
    expect(appendPoint(series, p(2, '1'))).toBeNull();
    expect(appendPoint(series, p(1.5, '7'))).toBeNull();
    expect(appendPoint(series, p(3, '2'), 2)?.map((x) => x['totalPnl'])).toEqual(['1', '2']);
  });

  it('fetches once, then extends from the events; points that arrive during the fetch are laid over it', () => {
    const book = new RunSeriesBook(100);
    expect(book.append(4, p(1, '0'))).toBe(false); // not a charted run
    const token = book.start(4);
    book.append(4, p(3, '2')); // arrived while the fetch ran, which answered before it was stored
    book.append(4, p(2, '1')); // ... and one the answer holds too
    expect(book.finish(4, token, [p(1, '0'), p(2, '1')])).toBe(true);
    expect(book.points(4).map((x) => x['totalPnl'])).toEqual(['0', '1', '2']);
    expect(book.append(4, p(4, '3'))).toBe(true);
    expect(book.append(4, p(4, '3'))).toBe(false); // replayed after a reconnect
    expect(book.points(4)).toHaveLength(4);
  });

  it('drops an obsolete answer, keeps the series when a fetch fails, and forgets runs no longer charted', () => {
    const book = new RunSeriesBook();
    const first = book.start(4);
    const second = book.start(4);
    expect(book.finish(4, first, [p(1, 'old')])).toBe(false);
    expect(book.finish(4, second, [p(1, '0')])).toBe(true);
    const failed = book.start(4);
    book.append(4, p(2, '1'));
    expect(book.finish(4, failed, null)).toBe(true);
    expect(book.points(4).map((x) => x['totalPnl'])).toEqual(['0', '1']);
    book.start(5);
    book.retain([5]);
    expect(book.has(4)).toBe(false);
    expect(book.has(5)).toBe(true);
  });
});
