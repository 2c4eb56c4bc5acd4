import { parseEventStream } from './sse';

describe('parseEventStream', () => {
  it('splits named JSON events, skips pings and keeps the unfinished rest', () => {
    const { events, rest } = parseEventStream(
      ': ping\n\nevent: run.started\ndata: {"runId":7}\n\nevent: trade.logged\ndata: {"runId":7,"tra',
    );
    expect(events).toEqual([{ name: 'run.started', data: { runId: 7 } }]);
    expect(rest).toBe('event: trade.logged\ndata: {"runId":7,"tra');
    const next = parseEventStream(rest + 'deIds":[1,2]}\r\n\r\n');
    expect(next.events).toEqual([{ name: 'trade.logged', data: { runId: 7, tradeIds: [1, 2] } }]);
    expect(next.rest).toBe('');
  });
});

describe('parseEventStream ids', () => {
  it('returns the last id sent, also from an id-only block, for Last-Event-ID on a reconnect', () => {
    const { events, lastId } = parseEventStream(
      'retry: 2000\n: connected\n\nid: 1a2b3c4d-7\n\nid: 1a2b3c4d-8\nevent: run.started\ndata: {"runId":1}\n\n',
    );
    expect(events).toEqual([{ name: 'run.started', data: { runId: 1 } }]);
    expect(lastId).toBe('1a2b3c4d-8');
    expect(parseEventStream(': ping\n\n').lastId).toBeUndefined();
  });

  it('passes the reset event on, which the app turns into a refetch', () => {
    const { events } = parseEventStream(
      'id: 1a2b3c4d-9\nevent: stream.reset\ndata: {"reason":"unknown Last-Event-ID: refetch"}\n\n',
    );
    expect(events).toEqual([{ name: 'stream.reset', data: { reason: 'unknown Last-Event-ID: refetch' } }]);
  });
});
