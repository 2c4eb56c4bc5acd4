/**
 * A bot of the fleet as polymaker_client.py behaves towards the Command Center: every POST carries an
 * Idempotency-Key and is resent with the same key and body until it gets a 2xx, after a connection
 * error, a 503 (the load balancer's or the API's), a 429 or a 409 "still being processed". Any other
 * answer is a bug and fails the test.
 */
export type Json = Record<string, unknown>;

export interface Refusal {
  path: string;
  status: number;
  contentType: string;
  retryAfter: string | null;
  message: string;
}

export interface Answer {
  status: number;
  body: Json;
  replayed: boolean;
}

export class FleetBot {
  /** Every answer other than a 2xx, and every connection error (status 0), in order. */
  readonly refusals: Refusal[] = [];
  /** When the request now waiting for its answer was sent (null: none is waiting). */
  pendingSince: number | null = null;
  requests = 0;

  constructor(
    readonly name: string,
    private readonly base: string,
    private readonly key: string,
  ) {}

  async post(path: string, body: Json, idempotencyKey: string): Promise<Answer> {
    return this.send('POST', path, body, idempotencyKey);
  }

  async get(path: string): Promise<Answer> {
    return this.send('GET', path, undefined, undefined);
  }

  private async send(
    method: string,
    path: string,
    body: Json | undefined,
    idempotencyKey: string | undefined,
  ): Promise<Answer> {
    const headers: Record<string, string> = { 'X-Api-Key': this.key };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (idempotencyKey !== undefined) headers['Idempotency-Key'] = idempotencyKey;
    const deadline = Date.now() + 45_000;
    for (let attempt = 1; ; attempt += 1) {
      this.requests += 1;
      this.pendingSince = Date.now();
      let refusal: Refusal;
      try {
        const response = await fetch(`${this.base}${path}`, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(30_000),
        });
        const text = await response.text();
        if (response.status >= 200 && response.status < 300) {
          return {
            status: response.status,
            body: JSON.parse(text) as Json,
            replayed: response.headers.get('idempotent-replayed') === 'true',
          };
        }
        let message = text.slice(0, 200);
        try {
          message = String((JSON.parse(text) as Json)['message']);
        } catch {
          // not JSON: kept as text, and the test says so
        }
        refusal = {
          path,
          status: response.status,
          contentType: response.headers.get('content-type') ?? '',
          retryAfter: response.headers.get('retry-after'),
          message,
        };
      } catch (error) {
        refusal = { path, status: 0, contentType: '', retryAfter: null, message: (error as Error).message };
      } finally {
        this.pendingSince = null;
      }
      this.refusals.push(refusal);
      const retryable =
        refusal.status === 0 ||
        refusal.status === 503 ||
        refusal.status === 429 ||
        (refusal.status === 409 && /still being processed/.test(refusal.message));
      if (!retryable)
        throw new Error(`${this.name}: ${method} ${path} answered ${refusal.status}: ${refusal.message}`);
      if (Date.now() > deadline)
        throw new Error(
          `${this.name}: ${method} ${path} still refused after ${attempt} attempts: ${refusal.status} ${refusal.message}`,
        );
      // The Python client honours Retry-After (its own tests check it); here a short pause keeps the run short.
      await new Promise((done) => setTimeout(done, 100 + Math.random() * 100));
    }
  }
}
