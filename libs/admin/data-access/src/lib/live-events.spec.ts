import { provideHttpClient } from '@angular/common/http';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { LiveEvents } from './live-events';
import { ServerEvent } from './sse';

/** A stream response whose body yields the given chunks, then ends (as when the server drops the client). */
function streamOf(chunks: string[]) {
  const encoder = new TextEncoder();
  let index = 0;
  return {
    status: 200,
    ok: true,
    body: {
      getReader: () => ({
        read: async () =>
          index < chunks.length
            ? { value: encoder.encode(chunks[index++]), done: false }
            : { value: undefined, done: true },
      }),
    },
  };
}

const waitFor = async (check: () => boolean) => {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((done) => setTimeout(done, 20));
  }
};

describe('LiveEvents reconnects', () => {
  const calls: Record<string, string>[] = [];
  const original = globalThis.fetch;

  beforeEach(() => {
    sessionStorage.setItem('polymaker.adminKey', 'admin-key-1234567890');
    TestBed.configureTestingModule({ providers: [provideRouter([]), provideHttpClient()] });
  });
  afterEach(() => {
    globalThis.fetch = original;
    sessionStorage.clear();
  });

  it('sends Last-Event-ID after a drop and turns stream.reset into a refetch', async () => {
    const responses = [
      streamOf([
        'retry: 2000\n: connected\n\nid: 0a0b0c0d-4\n\n',
        'id: 0a0b0c0d-5\nevent: run.started\ndata: {"runId":1}\n\n',
      ]),
      streamOf([
        'retry: 2000\n: connected\n\nid: 0a0b0c0d-9\nevent: stream.reset\ndata: {"reason":"refetch"}\n\n',
      ]),
      streamOf([]),
    ];
    globalThis.fetch = jest.fn(async (_url: unknown, init?: { headers?: Record<string, string> }) => {
      calls.push({ ...(init?.headers ?? {}) });
      return responses.shift() ?? streamOf([]);
    }) as unknown as typeof fetch;
    const live = TestBed.inject(LiveEvents);
    const seen: string[] = [];
    TestBed.runInInjectionContext(() =>
      live.watch(['*'], (events: ServerEvent[]) => seen.push(...events.map((e) => e.name)), 0),
    );

    live.start();
    await waitFor(() => calls.length >= 2); // dropped, reconnected after the first backoff
    expect(calls[0]['Last-Event-ID']).toBeUndefined();
    expect(calls[1]['Last-Event-ID']).toBe('0a0b0c0d-5');
    await waitFor(() => calls.length >= 3);
    expect(calls[2]['Last-Event-ID']).toBe('0a0b0c0d-9');
    // the first connection refetches; a resumed one does not, unless the server says reset
    expect(seen.filter((name) => name === 'stream.connected')).toHaveLength(2);
    expect(seen).toContain('run.started');
    live.stop();
  }, 15_000);
});
