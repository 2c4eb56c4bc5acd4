import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { SMTPServer } from 'smtp-server';

/** Test doubles that are real servers on loopback: an SMTP server, a webhook receiver, a JSON-RPC node. */

export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  /** The whole message with quoted-printable soft breaks and escapes decoded. */
  body: string;
  raw: string;
}

export interface LoopbackSmtp {
  port: number;
  url: string;
  mails: ReceivedMail[];
  /** Connection errors smtp-server reported (a client gone in the middle of a message). */
  errors: Error[];
  /** Connections seen (including ones held or dropped before a message went through). */
  connections: number;
  /** Holds every new connection before the greeting until release() (to crash the API mid-delivery). */
  hold(): void;
  release(): void;
  close(): Promise<void>;
}

export function decodeQuotedPrintable(text: string): string {
  const joined = text.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const hex = joined.slice(i + 1, i + 3);
    if (joined[i] === '=' && /^[0-9A-F]{2}$/i.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(joined[i], 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** RFC 2047 encoded words (=?UTF-8?Q?...?= and =?UTF-8?B?...?=) in a header, folded lines joined. */
export function decodeHeader(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_, _charset: string, encoding: string, text: string) =>
      encoding.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : decodeQuotedPrintable(text.replace(/_/g, ' ')),
    );
}

export async function startSmtp(): Promise<LoopbackSmtp> {
  const mails: ReceivedMail[] = [];
  let holding = false;
  const held: (() => void)[] = [];
  const state = { connections: 0 };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onConnect(_session, callback) {
      state.connections++;
      if (holding) held.push(() => callback());
      else callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const headerEnd = raw.indexOf('\r\n\r\n');
        const headers = raw.slice(0, headerEnd).replace(/\r\n[ \t]+/g, ' ');
        const subject = /^Subject: (.*)$/im.exec(headers)?.[1] ?? '';
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          subject: decodeHeader(subject),
          body: decodeQuotedPrintable(raw.slice(headerEnd + 4)),
          raw,
        });
        callback();
      });
    },
  });
  // A client that dies inside a mail transaction (the tests SIGKILL APIs mid-send) resets its
  // connection, and smtp-server reports that as an 'error' event: without a listener it would be
  // thrown in the test process ("read ECONNRESET") and fail whichever test is running.
  const errors: Error[] = [];
  server.on('error', (error: Error) => errors.push(error));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    mails,
    errors,
    get connections() {
      return state.connections;
    },
    hold: () => {
      holding = true;
    },
    release: () => {
      holding = false;
      for (const go of held.splice(0)) {
        try {
          go();
        } catch {
          // the client is gone
        }
      }
    },
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

export interface ReceivedRequest {
  path: string;
  body: Record<string, unknown>;
  headers: IncomingMessage['headers'];
  /** The status this receiver answered. */
  answered: number;
}

export interface LoopbackHttp {
  url: string;
  requests: ReceivedRequest[];
  /** Answer the next `count` requests with this status (then 200 again). */
  failNext(count: number, status?: number): void;
  /** Answer each request only after `ms` milliseconds (0: at once again); the request is recorded on arrival. */
  stall(ms: number): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<LoopbackHttp> {
  const requests: ReceivedRequest[] = [];
  let failures = 0;
  let failStatus = 500;
  let stallMs = 0;
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      const answered = failures > 0 ? failStatus : 200;
      if (failures > 0) failures--;
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        body = { unparsable: text };
      }
      requests.push({ path: req.url ?? '/', body, headers: req.headers, answered });
      const answer = () => {
        res.writeHead(answered, { 'content-type': 'application/json' });
        res.end(answered === 200 ? '{"ok":true}' : '{"error":"receiver told to fail"}');
      };
      if (stallMs > 0) setTimeout(answer, stallMs).unref();
      else answer();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook/secret-token`,
    requests,
    failNext: (count, status = 500) => {
      failures = count;
      failStatus = status;
    },
    stall: (ms) => {
      stallMs = ms;
    },
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

export interface LoopbackRpc {
  url: string;
  calls: { method: string; params: unknown[] }[];
  /** Balances the node reports, in integer units (USDC has 6 decimals, POL 18). */
  balances: { usdcUnits: bigint; polWei: bigint };
  /** Answer each call only after `ms` milliseconds (0: at once again). */
  stall(ms: number): void;
  close(): Promise<void>;
}

export async function startJsonRpc(usdcContract: string, address: string): Promise<LoopbackRpc> {
  const calls: LoopbackRpc['calls'] = [];
  const balances = { usdcUnits: 0n, polWei: 0n };
  let stallMs = 0;
  const selector = `0x70a08231${address.toLowerCase().slice(2).padStart(64, '0')}`;
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      const call = JSON.parse(text) as { id: number; method: string; params: unknown[] };
      calls.push({ method: call.method, params: call.params });
      let result: string | null = null;
      let error: { code: number; message: string } | null = null;
      if (
        call.method === 'eth_getBalance' &&
        String(call.params[0]).toLowerCase() === address.toLowerCase()
      ) {
        result = `0x${balances.polWei.toString(16)}`;
      } else if (call.method === 'eth_call') {
        const tx = call.params[0] as { to: string; data: string };
        if (tx.to.toLowerCase() === usdcContract.toLowerCase() && tx.data.toLowerCase() === selector) {
          result = `0x${balances.usdcUnits.toString(16).padStart(64, '0')}`;
        } else error = { code: -32000, message: 'execution reverted' };
      } else error = { code: -32601, message: 'method not found' };
      const answer = () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify(
            error ? { jsonrpc: '2.0', id: call.id, error } : { jsonrpc: '2.0', id: call.id, result },
          ),
        );
      };
      if (stallMs > 0) setTimeout(answer, stallMs).unref();
      else answer();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    balances,
    stall: (ms) => {
      stallMs = ms;
    },
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/** Polls until `check` returns a truthy value; fails with `what` after the deadline. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T> | T,
  timeoutMs = 20_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

/** Runs SQL on the test database directly (to age a run, or to look at the outbox). */
/**
 * Sessions on this database (other than the asking one) that sit inside an open transaction without
 * running a statement, for longer than a round trip between two statements: one held open across a
 * stalled SMTP, webhook or JSON-RPC call stays idle for seconds (a sample may catch any transaction
 * between its statements for a moment, which is no fault).
 */
export async function idleInTransaction(databaseUrl: string): Promise<number> {
  const [row] = await sql<{ n: string }>(
    databaseUrl,
    `select count(*) as n from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid() and state in ('idle in transaction', 'idle in transaction (aborted)')
        and now() - state_change > interval '300 milliseconds'`,
  );
  return Number(row.n);
}

export async function sql<T = Record<string, unknown>>(
  databaseUrl: string,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Settled: nothing pending in the outbox (all owed work done or given up). */
export async function outboxSettled(databaseUrl: string): Promise<boolean> {
  const [row] = await sql<{ n: string }>(
    databaseUrl,
    "select count(*) as n from outbox_jobs where status = 'pending'",
  );
  return Number(row.n) === 0;
}

export interface TelegramRequest {
  /** When it arrived (this process's clock). */
  at: number;
  /** The token in the path (`/bot<token>/<method>`). */
  token: string;
  method: string;
  body: Record<string, unknown>;
  /** The HTTP status answered. */
  answered: number;
}

export interface LoopbackTelegram {
  /** The Bot API base URL (TELEGRAM_API_URL). */
  url: string;
  requests: TelegramRequest[];
  /** The messages it accepted (answered ok). */
  delivered(): TelegramRequest[];
  /** Answer the next `count` sendMessage calls 429 "Too Many Requests" with parameters.retry_after. */
  throttleNext(count: number, retryAfterSeconds: number): void;
  close(): Promise<void>;
}

/** Entities Telegram's HTML parse mode knows; anything else after an & is refused by it. */
const TELEGRAM_ENTITY = /^&(lt|gt|amp|quot|#\d+|#x[0-9a-f]+);/i;

/** Why Telegram would refuse this HTML text ("can't parse entities"), or null (only the <b> and <a href> used here are known). */
function telegramHtmlProblem(text: string): string | null {
  const stack: string[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '&') {
      if (!TELEGRAM_ENTITY.test(text.slice(i, i + 12)))
        return `Unsupported start tag or entity at byte offset ${i}`;
    } else if (text[i] === '<') {
      const tag = /^<(\/?)(b|a)(?: href="[^"<>]*")?>/.exec(text.slice(i));
      if (!tag) return `Unsupported start tag at byte offset ${i}`;
      if (tag[1]) {
        if (stack.pop() !== tag[2]) return `Unmatched end tag at byte offset ${i}`;
      } else stack.push(tag[2]);
      i += tag[0].length - 1;
    } else if (text[i] === '>') return `Unexpected > at byte offset ${i}`;
  }
  return stack.length ? 'Unclosed start tag' : null;
}

/**
 * A loopback server that speaks the Bot API's sendMessage as Telegram does: `POST /bot<token>/sendMessage`
 * with JSON, answered `{ ok: true, result: Message }` or `{ ok: false, error_code, description[, parameters] }`:
 * 401 for another token, 400 "chat not found" for a chat it does not know, 400 for HTML Telegram cannot
 * parse or a text over 4096 characters, and 429 with retry_after when told to throttle.
 */
export async function startTelegramBotApi(token: string, chats: string[]): Promise<LoopbackTelegram> {
  const requests: TelegramRequest[] = [];
  const throttle = { count: 0, retryAfter: 1 };
  let messageId = 100;
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(req.url ?? '');
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        body = {};
      }
      const answer = (status: number, json: Record<string, unknown>) => {
        requests.push({
          at: Date.now(),
          token: match?.[1] ?? '',
          method: match?.[2] ?? '',
          body,
          answered: status,
        });
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(json));
      };
      const fail = (code: number, description: string, parameters?: Record<string, unknown>) =>
        answer(code, { ok: false, error_code: code, description, ...(parameters ? { parameters } : {}) });
      if (!match) return fail(404, 'Not Found');
      if (match[1] !== token) return fail(401, 'Unauthorized');
      if (match[2] !== 'sendMessage' || req.method !== 'POST') return fail(404, 'Not Found');
      if (req.headers['content-type'] !== 'application/json')
        return fail(400, 'Bad Request: message text is empty');
      if (throttle.count > 0) {
        throttle.count--;
        return fail(429, `Too Many Requests: retry after ${throttle.retryAfter}`, {
          retry_after: throttle.retryAfter,
        });
      }
      const chatId = String(body['chat_id'] ?? '');
      if (!chats.includes(chatId)) return fail(400, 'Bad Request: chat not found');
      const message = typeof body['text'] === 'string' ? body['text'] : '';
      if (!message) return fail(400, 'Bad Request: message text is empty');
      if (body['parse_mode'] === 'HTML') {
        const problem = telegramHtmlProblem(message);
        if (problem) return fail(400, `Bad Request: can't parse entities: ${problem}`);
      }
      const visible =
        body['parse_mode'] === 'HTML'
          ? message.replace(/<[^>]+>/g, '').replace(/&(lt|gt|amp|quot);/g, '_')
          : message;
      if (visible.length > 4096) return fail(400, 'Bad Request: message is too long');
      messageId++;
      answer(200, {
        ok: true,
        result: {
          message_id: messageId,
          chat: { id: chatId },
          date: Math.floor(Date.now() / 1000),
          text: visible,
        },
      });
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    delivered: () => requests.filter((r) => r.answered === 200),
    throttleNext: (count, retryAfterSeconds) => {
      throttle.count = count;
      throttle.retryAfter = retryAfterSeconds;
    },
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
