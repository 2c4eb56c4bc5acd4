import { Agent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { EndpointStats } from './stats';

export interface ApiResult<T = Record<string, unknown>> {
  ok: boolean;
  status: number;
  body: T | null;
  ms: number;
  error?: string;
}

export interface BotApiOptions {
  /** Command Center base URL (POLYMAKER_URL); one trailing slash is stripped as the client does. */
  url: string;
  apiKey: string;
  timeoutMs?: number;
  stats?: EndpointStats;
  agent?: Agent;
}

/**
 * A keep-alive agent: each simulated bot keeps its connection open like the Python client's
 * http.client connection. `maxSockets` 1 is one bot's single connection (its requests queue on it).
 */
export function keepAliveAgent(https = false, maxSockets = Infinity): Agent {
  // Idle sockets are all kept, as each Python client keeps its one connection: closing those past
  // 1,024 made a fleet of 2,000 reconnect after every burst, and under load Node accepts one new
  // connection per turn of its event loop, so the reconnects waited seconds (GET /config timeouts).
  const options = { keepAlive: true, maxSockets, maxFreeSockets: Infinity, keepAliveMsecs: 10_000 };
  return https ? (new HttpsAgent(options) as unknown as Agent) : new Agent(options);
}

/**
 * The bot API as polymaker_client.py calls it: `{url}/api/bot` + path, X-Api-Key, JSON bodies.
 * Like the client, failures are returned (and counted), never thrown.
 */
export class BotApi {
  readonly base: URL;
  private readonly https: boolean;
  private readonly agent: Agent;
  private readonly timeoutMs: number;
  /** Where requests are recorded; the simulation swaps it to keep its teardown apart. */
  stats: EndpointStats;

  constructor(private readonly options: BotApiOptions) {
    const url = options.url.endsWith('/') ? options.url.slice(0, -1) : options.url;
    this.base = new URL(`${url}/api/bot`);
    this.https = this.base.protocol === 'https:';
    this.agent = options.agent ?? keepAliveAgent(this.https);
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.stats = options.stats ?? new EndpointStats();
  }

  get<T = Record<string, unknown>>(path: string): Promise<ApiResult<T>> {
    return this.send<T>('GET', path, undefined);
  }

  post<T = Record<string, unknown>>(path: string, body: unknown): Promise<ApiResult<T>> {
    return this.send<T>('POST', path, body);
  }

  send<T>(method: 'GET' | 'POST', path: string, body: unknown): Promise<ApiResult<T>> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string | number> = {
      'X-Api-Key': this.options.apiKey,
      'Content-Type': 'application/json',
      Accept: '*/*',
      'User-Agent': 'polymaker-bot-simulator/1.0',
    };
    if (payload !== undefined) headers['Content-Length'] = Buffer.byteLength(payload);
    const endpoint = `${method} ${path}`;
    const started = performance.now();
    const requestFn = this.https ? httpsRequest : httpRequest;
    return new Promise((resolve) => {
      let settled = false;
      const finish = (result: Omit<ApiResult<T>, 'ms'>) => {
        if (settled) return;
        settled = true;
        const ms = performance.now() - started;
        this.stats.record(
          endpoint,
          ms,
          result.ok,
          result.ok ? undefined : (result.error ?? String(result.status)),
        );
        resolve({ ...result, ms });
      };
      const req = requestFn(
        {
          protocol: this.base.protocol,
          hostname: this.base.hostname,
          port: this.base.port,
          path: `${this.base.pathname}${path}`,
          method,
          headers,
          agent: this.agent,
          timeout: this.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = null;
            try {
              parsed = text ? JSON.parse(text) : null;
            } catch {
              parsed = null;
            }
            // The client does raise_for_status() then resp.json(): success is a 2xx with a JSON object.
            const isObject = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed);
            const ok = status >= 200 && status < 300 && isObject;
            finish({
              ok,
              status,
              body: (parsed as T) ?? null,
              error: ok ? undefined : isObject ? String(status) : `${status} non-JSON`,
            });
          });
          res.on('error', (error) => finish({ ok: false, status: 0, body: null, error: error.message }));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (error: NodeJS.ErrnoException) =>
        finish({ ok: false, status: 0, body: null, error: error.code ?? error.message }),
      );
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }
}
