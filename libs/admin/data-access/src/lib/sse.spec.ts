import { parseEventStream } from './sse';

describe('parseEventStream', () => {
  it('splits named JSON events, skips pings and keeps the unfinished rest', () => {
    const { events, rest } = parseEventStream(': ping\n\nevent: run.started\ndata: {"runId":7}\n\nevent: trade.logged\ndata: {"runId":7,"tra');
    expect(events).toEqual([{ name: 'run.started', data: { runId: 7 } }]);
    expect(rest).toBe('event: trade.logged\ndata: {"runId":7,"tra');
    const next = parseEventStream(rest + 'deIds":[1,2]}\r\n\r\n');
    expect(next.events).toEqual([{ name: 'trade.logged', data: { runId: 7, tradeIds: [1, 2] } }]);
    expect(next.rest).toBe('');
  });
});
