import { startTestApi, TestApi } from '../support/api';
import { SseClient, SseEvent, waitUntil } from './wire';

const ids = (events: SseEvent[]) => events.map((event) => event.id);
const seqOf = (id: string | null) => Number((id ?? '').split('-')[1]);

/**
 * The live stream under slow clients: each client has a bounded buffer and one that does not read is
 * dropped (not buffered without end); a client reconnecting with Last-Event-ID gets exactly what it
 * missed from the replay buffer, and one whose id cannot be resumed is told to refetch.
 */
describe('live stream: backpressure and resume', () => {
  let t: TestApi;
  let runId: number;
  const logTrade = (cycle: number) =>
    t.bot('POST', '/api/bot/trade', {
      runId,
      cycle,
      asset: 'BTC',
      windowDuration: '5m',
      side: 'buy',
      outcome: 'Up',
      price: '0.5',
      size: '1',
      strategy: 'MM',
    });

  beforeAll(async () => {
    // Shedding is ops/overload.spec.ts's subject: here a busy machine's event-loop lag must not refuse the writes counted.
    t = await startTestApi('ops_live', {
      LIVE_CLIENT_BUFFER_BYTES: '65536',
      LIVE_REPLAY_EVENTS: '5000',
      OVERLOAD_MAX_LAG_MS: '0',
    });
    runId = (await t.bot<{ runId: number }>('POST', '/api/bot/run/start', { mode: 'dry_run' })).body.runId;
  });
  afterAll(() => t?.stop());

  it('replays exactly the events a reconnecting client missed', async () => {
    const witness = await SseClient.open(t.api.url, t.api.adminKey);
    const client = await SseClient.open(t.api.url, t.api.adminKey);
    try {
      await waitUntil('the stream positions', () => witness.lastId && client.lastId);
      for (let cycle = 0; cycle < 3; cycle += 1) await logTrade(cycle);
      await waitUntil('three events on the client', () => client.events.length >= 3);
      const lastSeen = client.lastId as string;
      const seenBefore = witness.events.length;
      await client.close();
      for (let cycle = 3; cycle < 10; cycle += 1) await logTrade(cycle);
      await waitUntil('seven more events on the witness', () => witness.events.length >= seenBefore + 7);
      const missed = witness.events.slice(witness.events.findIndex((event) => event.id === lastSeen) + 1);
      expect(missed.length).toBeGreaterThanOrEqual(7);

      const resumed = await SseClient.open(t.api.url, t.api.adminKey, lastSeen);
      try {
        await waitUntil('the replay', () => resumed.events.length >= missed.length);
        expect(ids(resumed.events.slice(0, missed.length))).toEqual(ids(missed));
        expect(resumed.events.map((event) => event.name)).not.toContain('stream.reset');
        expect(ids(resumed.events)).not.toContain(lastSeen);
        // and it follows the stream live afterwards
        const count = witness.events.length;
        await logTrade(10);
        const next = await waitUntil('the next event on the witness', () => witness.events[count]);
        await waitUntil('the same live event after the replay', () =>
          resumed.events.some((event) => event.id === next.id),
        );
      } finally {
        await resumed.close();
      }
    } finally {
      await witness.close();
      await client.close();
    }
  });

  it('tells a client whose Last-Event-ID is unknown (another instance, a restart, garbage) to refetch', async () => {
    for (const unknown of ['0badc0de-3', 'not-an-id', `${'f'.repeat(8)}-999999999`]) {
      const client = await SseClient.open(t.api.url, t.api.adminKey, unknown);
      try {
        await waitUntil('the reset event', () => client.events.length > 0);
        expect(client.events[0]).toEqual({
          id: expect.any(String),
          name: 'stream.reset',
          data: { reason: expect.stringMatching(/refetch/) },
        });
        expect(client.events[0].id).not.toBe(unknown);
      } finally {
        await client.close();
      }
    }
  });

  it('drops 40 clients that never read while bots keep writing; a dropped client resumes with Last-Event-ID and misses nothing', async () => {
    const reader = await SseClient.open(t.api.url, t.api.adminKey);
    const stalled = await Promise.all(
      Array.from({ length: 40 }, () => SseClient.open(t.api.url, t.api.adminKey)),
    );
    try {
      await waitUntil(
        'every stream position',
        () => reader.lastId && stalled.every((client) => client.lastId),
      );
      await Promise.all(stalled.map((client) => client.stopReading()));
      const positions = stalled.map((client) => client.lastId as string);
      const dropLines = () =>
        t.api
          .output()
          .split('\n')
          .filter((line) => line.includes('live client too slow: dropped'));
      // Bot traffic with sizeable events (a market report names its token ids) until the server gives up on them.
      // batch -1 is the last report: its token ids (prefix 9) are no other report's, so it is known when it arrives
      const markets = (batch: number) =>
        Array.from({ length: 75 }, (_, i) => ({
          tokenId: `${batch < 0 ? 9 : batch % 7}${String(i).padStart(3, '0')}`.padEnd(78, '7'),
          asset: 'BTC',
          window: '5m',
        }));
      let reports = 0;
      while (dropLines().length < 40 && reports < 3000) {
        const answers = await Promise.all(
          [0, 1, 2, 3].map((k) =>
            t.bot('POST', '/api/bot/markets/report', { markets: markets(reports + k) }),
          ),
        );
        expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]); // each report is one event counted below
        reports += 4;
      }
      expect(dropLines()).toHaveLength(40);
      expect(dropLines().pop()).toContain('"droppedClients":40');
      // The server closed each connection: once the client reads again, it finds the stream ended.
      await Promise.all(stalled.map((client) => client.resumeReading()));
      await waitUntil(
        'every stalled client to see its stream closed',
        () => stalled.every((client) => client.ended),
        30_000,
      );
      // the reading client was not dropped and is still live
      expect(reader.ended).toBe(false);
      const lastReport = await t.bot('POST', '/api/bot/markets/report', { markets: markets(-1) });
      expect(lastReport.status).toBe(200);
      await waitUntil('the reader to get the last event', () => {
        const last = reader.events[reader.events.length - 1];
        return (
          last?.name === 'markets.reported' &&
          (last.data as { tokenIds: string[] }).tokenIds[0] === markets(-1)[0].tokenId
        );
      });

      // A dropped client reconnects from where it was and is replayed everything it missed, in order.
      const resumed = await SseClient.open(t.api.url, t.api.adminKey, positions[0]);
      try {
        const expected = reader.events.filter((event) => seqOf(event.id) > seqOf(positions[0]));
        // every report is among them (other events, e.g. a bot's state change, may be too: they are replayed alike)
        expect(expected.filter((event) => event.name === 'markets.reported').length).toBe(reports + 1);
        await waitUntil('the replay', () => resumed.events.length >= expected.length, 30_000);
        expect(ids(resumed.events.slice(0, expected.length))).toEqual(ids(expected));
      } finally {
        await resumed.close();
      }
    } finally {
      await reader.close();
      await Promise.all(stalled.map((client) => client.close()));
    }
  }, 240_000);
});

describe('live stream: a Last-Event-ID older than the replay buffer', () => {
  it('gets the refetch event', async () => {
    const t = await startTestApi('ops_live_short', { LIVE_REPLAY_EVENTS: '2' });
    try {
      const client = await SseClient.open(t.api.url, t.api.adminKey);
      await waitUntil('the stream position', () => client.lastId);
      const position = client.lastId as string;
      for (let i = 0; i < 4; i += 1) await t.bot('POST', '/api/bot/run/start', { mode: 'dry_run' });
      await waitUntil('four events', () => client.events.length >= 4);
      await client.close();
      const late = await SseClient.open(t.api.url, t.api.adminKey, position);
      await waitUntil('the reset event', () => late.events.length > 0);
      expect(late.events[0]).toMatchObject({
        name: 'stream.reset',
        data: { reason: expect.stringMatching(/older than the replay buffer/) },
      });
      // resuming from the second-to-last event still works: the buffer keeps the last two
      const recent = await SseClient.open(t.api.url, t.api.adminKey, client.events[1].id as string);
      await waitUntil('the replay', () => recent.events.length >= 2);
      expect(ids(recent.events.slice(0, 2))).toEqual(ids(client.events.slice(2, 4)));
      await late.close();
      await recent.close();
    } finally {
      await t.stop();
    }
  });
});
