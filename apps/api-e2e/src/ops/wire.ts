import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';

/** A raw HTTP exchange over one TCP connection: what the server answered, and whether it closed the connection. */
export interface RawExchange {
  socket: Socket;
  /** Everything the server sent so far. */
  received(): string;
  /** Resolves when the server closes the connection (or it breaks). */
  closed: Promise<void>;
  isClosed(): boolean;
}

export function openRaw(port: number, head: string): Promise<RawExchange> {
  return new Promise((done, fail) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let text = '';
    let isClosed = false;
    const closed = new Promise<void>((resolve) => socket.once('close', () => ((isClosed = true), resolve())));
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    socket.on('error', () => undefined);
    socket.once('connect', () => {
      socket.write(head);
      done({ socket, received: () => text, closed, isClosed: () => isClosed });
    });
    socket.once('error', fail);
  });
}

/** Splits a raw HTTP/1.1 response (not chunked) into status, headers and JSON body. */
export function parseRawResponse(text: string): {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
} {
  const [head, ...rest] = text.split('\r\n\r\n');
  const [statusLine, ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return {
    status: Number(statusLine.split(' ')[1]),
    headers,
    body: JSON.parse(rest.join('\r\n\r\n')) as Record<string, unknown>,
  };
}

export interface SseEvent {
  id: string | null;
  name: string;
  data: unknown;
}

/** An admin live-stream client over its own connection, parsing Server-Sent Events as they arrive. */
export class SseClient {
  readonly events: SseEvent[] = [];
  /** The last `id:` the server sent (what EventSource would send back as Last-Event-ID). */
  lastId: string | null = null;
  status = 0;
  ended = false;
  endReason = '';
  readonly done: Promise<void>;
  private buffer = '';
  private response: IncomingMessage | null = null;
  private finish: () => void = () => undefined;

  private constructor(readonly socketReady: Promise<Socket>) {
    this.done = new Promise((resolve) => (this.finish = resolve));
  }

  static open(base: string, key: string, lastEventId?: string): Promise<SseClient> {
    return new Promise((resolve, fail) => {
      const headers: Record<string, string> = { 'X-Api-Key': key, Accept: 'text/event-stream' };
      if (lastEventId !== undefined) headers['Last-Event-ID'] = lastEventId;
      const req = httpRequest(`${base}/api/v1/events`, { headers, agent: false });
      let socketResolve: (socket: Socket) => void = () => undefined;
      const client = new SseClient(new Promise((r) => (socketResolve = r)));
      req.on('socket', (socket) => {
        socket.on('error', (error: NodeJS.ErrnoException) => end(error.code ?? error.message));
        socket.on('close', () => end('close'));
        socketResolve(socket);
      });
      const end = (reason: string) => {
        if (client.ended) return;
        client.ended = true;
        client.endReason = reason;
        client.finish();
      };
      req.on('error', (error: NodeJS.ErrnoException) => {
        end(error.code ?? error.message);
        fail(error);
      });
      req.on('response', (response) => {
        client.response = response;
        client.status = response.statusCode ?? 0;
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => client.feed(chunk));
        response.on('error', (error: NodeJS.ErrnoException) => end(error.code ?? error.message));
        response.on('aborted', () => end('aborted'));
        response.on('end', () => end('end'));
        response.on('close', () => end('close'));
        resolve(client);
      });
      req.end();
    });
  }

  private feed(chunk: string): void {
    this.buffer += chunk;
    const blocks = this.buffer.split('\n\n');
    this.buffer = blocks.pop() ?? '';
    for (const block of blocks) {
      let name = 'message';
      let id: string | null = null;
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (!line || line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'id') id = value;
        else if (field === 'event') name = value;
        else if (field === 'data') data.push(value);
      }
      if (id !== null) this.lastId = id;
      if (data.length > 0) this.events.push({ id, name, data: JSON.parse(data.join('\n')) as unknown });
    }
  }

  /** Stops reading: the server's writes pile up in the socket buffers, as with a client that hangs. */
  async stopReading(): Promise<void> {
    this.response?.pause();
    (await this.socketReady).pause();
  }

  async resumeReading(): Promise<void> {
    (await this.socketReady).resume();
    this.response?.resume();
  }

  async close(): Promise<void> {
    (await this.socketReady).destroy();
  }
}

export async function waitUntil<T>(
  what: string,
  check: () => Promise<T> | T,
  timeoutMs = 30_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 50));
  }
}
