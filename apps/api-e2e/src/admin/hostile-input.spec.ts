import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Json, startTestApi, TestApi } from '../support/api';

/**
 * Property-based hostile input for the whole admin API, routes taken from the committed OpenAPI
 * spec (so a new route is covered without touching this file): query and path parameters for
 * every GET, bodies and path parameters for every POST/PUT/PATCH. Never a 5xx; a 4xx writes
 * nothing (the state read through the API before and after is the same); /health keeps answering.
 */

interface Parameter {
  name: string;
  in: 'query' | 'path';
  schema?: { type?: string; enum?: string[] };
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content?: { 'application/json'?: { schema?: { $ref?: string } } } };
}
interface Schema {
  type?: string;
  properties?: Record<
    string,
    Schema & { enum?: string[]; example?: unknown; minimum?: number; maximum?: number; items?: Schema }
  >;
  enum?: string[];
}
interface Spec {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

const spec = JSON.parse(readFileSync(join(__dirname, '../../../../openapi/openapi.json'), 'utf8')) as Spec;
// The SSE stream never ends by design; it has no parameters.
const SKIP = new Set(['/api/v1/events']);

const routes = Object.entries(spec.paths)
  .filter(([path]) => path.startsWith('/api/v1/') && !SKIP.has(path))
  .flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ path, method: method.toUpperCase(), op })),
  );
const reads = routes.filter((r) => r.method === 'GET');
const writes = routes.filter((r) => ['POST', 'PUT', 'PATCH'].includes(r.method));

// Values that broke parsers before, and their neighbours.
const NASTY = [
  '\u0000',
  'B\u0000TC',
  '\ud800',
  'a\udfff',
  '\udc00\ud800',
  '',
  ' ',
  '  1',
  '1 ',
  '+1',
  '-1',
  '0',
  '1.5',
  '1e3',
  '1e20',
  '1e400',
  '-1e400',
  '0x10',
  'NaN',
  'Infinity',
  '99999999999999999999',
  '9007199254740992',
  '9223372036854775808',
  '2147483648',
  '0000-01-01',
  '2026-02-30',
  '10000-01-01',
  '2026-01-01 (hello)',
  '2026-01-01T25:00',
  '1764640000000',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  '%',
  '%00',
  '../..',
  "' or 1=1 --",
  '<script>',
  '😀',
  'x'.repeat(5000),
  Buffer.from('["abc",1]').toString('base64url'),
  Buffer.from('[null,1e400]').toString('base64url'),
  Buffer.from('{"a":1}').toString('base64url'),
  'true',
  'false',
  'null',
  '[]',
  '{}',
  '1',
  '2',
  '3',
  'BTC',
  '15m',
  'price',
  'size',
  'cycle',
  'asc',
  'desc',
  'buy',
  'running',
  'webhook',
  'email',
  'maintenance',
  '2026-01-01',
];
const hostileText = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }).map(String) },
  { weight: 1, arbitrary: fc.double().map(String) },
);

/** Percent-encoding that also carries lone surrogates (as their WTF-8 bytes), which encodeURIComponent refuses. */
function encode(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (code >= 0xd800 && code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      out += encodeURIComponent(text.slice(i, i + 2));
      i++;
    } else if (code >= 0xd800 && code <= 0xdfff) {
      out += `%${(0xe0 | (code >> 12)).toString(16)}%${(0x80 | ((code >> 6) & 0x3f)).toString(16)}%${(0x80 | (code & 0x3f)).toString(16)}`;
    } else {
      out += encodeURIComponent(text[i]);
    }
  }
  return out;
}

// Ids of rows that exist are fine for reads; writes get ids that exist nowhere, so no key is revoked.
const readId = fc.oneof(fc.constantFrom('1', '2', '3'), hostileText);
const writeId = fc.oneof(fc.constant('424242'), hostileText);

function pathFor(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => encode(values[name] ?? '1'));
}

function queryArb(params: Parameter[]): fc.Arbitrary<string> {
  const query = params.filter((p) => p.in === 'query');
  if (query.length === 0) return fc.constant('');
  const entry = fc.tuple(
    fc.constantFrom(...query.map((p) => p.name), 'unknownParam', '__proto__'),
    hostileText,
    fc.boolean(),
  );
  return fc
    .array(entry, { maxLength: 4 })
    .map((entries) =>
      entries.length === 0
        ? ''
        : '?' +
          entries
            .map(
              ([name, value, twice]) => `${name}=${encode(value)}${twice ? `&${name}=${encode(value)}` : ''}`,
            )
            .join('&'),
    );
}

function pathArb(params: Parameter[], id: fc.Arbitrary<string>): fc.Arbitrary<Record<string, string>> {
  const names = params.filter((p) => p.in === 'path').map((p) => p.name);
  return fc
    .tuple(...names.map(() => id))
    .map((values) => Object.fromEntries(names.map((n, i) => [n, values[i]])));
}

// JSON values a client can send: wrong types, edge numbers, nesting, objects with odd keys.
const hostileJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileText,
    fc.constantFrom(null, true, false, 0, -1, 1, 1.5, 1e300, -1e300, 2 ** 53 + 2, 2147483648, 1e-300, 100000),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(
      fc.constantFrom('a', '__proto__', 'constructor', 'mode', 'pauseOrders', 'x'),
      tie('value'),
      { maxKeys: 3 },
    ),
  ),
})).value;

// Config values are free-form JSON; NUL and lone surrogates inside them are refused by the JSON
// body parser for every route (its own suite), so here they use printable text.
const configValues = fc.dictionary(
  fc.constantFrom(
    'mode',
    'pauseOrders',
    'mmSpreadMin',
    'targetAssets',
    'constructor',
    'toString',
    'extraKey',
  ),
  fc.oneof(
    fc.string({ unit: 'grapheme-ascii', maxLength: 20 }),
    fc.constantFrom(null, true, 0, -1, 0.02, 1e300, 'dry_run', 'live'),
    fc.array(fc.constantFrom('BTC', 'ETH'), { maxLength: 2 }),
  ),
  { maxKeys: 4 },
);

function validValue(schema: Schema & { example?: unknown; minimum?: number; items?: Schema }): unknown {
  if (schema.enum?.length) return schema.enum[0];
  if (schema.example !== undefined) return schema.example;
  if (schema.type === 'boolean') return true;
  if (schema.type === 'number' || schema.type === 'integer') return schema.minimum ?? 1;
  if (schema.type === 'array') return [];
  return 'text';
}

// URLs only with literal or loopback hosts: the suite must not send DNS queries off this machine.
const urlText = fc.constantFrom(
  'http://127.0.0.1:9/hook',
  'http://localhost:9/hook',
  'http://169.254.169.254/',
  'http://[::ffff:169.254.169.254]/',
  'http://[fe80::1]/',
  'http://0.0.0.0/',
  'smtp://127.0.0.1:9',
  'ftp://127.0.0.1/',
  'not a url',
  'http://127.0.0.1:9/\u0000',
);

function bodyArb(ref: string | undefined): fc.Arbitrary<unknown> {
  if (!ref) return fc.oneof(fc.constant(undefined), hostileJson);
  const schema = spec.components.schemas[ref.split('/').pop() ?? ''];
  const properties = Object.entries(schema?.properties ?? {});
  const field = (name: string, property: (typeof properties)[number][1]) => {
    if (name === 'values')
      return fc.oneof({ weight: 3, arbitrary: configValues }, { weight: 1, arbitrary: hostileJson });
    if (/url/i.test(name))
      return fc.oneof(
        urlText,
        fc.constant(null),
        hostileJson.filter((v) => typeof v !== 'string'),
      );
    return fc.oneof(
      { weight: 1, arbitrary: fc.constant(validValue(property)) },
      { weight: 3, arbitrary: hostileJson },
    );
  };
  const object = fc.record(
    Object.fromEntries(properties.map(([name, property]) => [name, field(name, property)])),
    {
      requiredKeys: [],
    },
  );
  const extra = fc.option(
    fc.tuple(fc.constantFrom('__proto__', 'constructor', 'unknownField'), hostileJson),
    { nil: undefined },
  );
  return fc.oneof(
    {
      weight: 8,
      arbitrary: fc
        .tuple(object, extra)
        .map(([body, more]) => (more ? { ...body, ...Object.fromEntries([more]) } : body)),
    },
    { weight: 1, arbitrary: hostileJson },
  );
}

describe('admin API under hostile input (property-based)', () => {
  let t: TestApi;
  const healthFailures: string[] = [];
  let healthChecks = 0;
  let stopHealth = false;
  let healthLoop: Promise<void>;

  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value as Json)
          .filter(
            ([key]) =>
              ![
                'lastUsedAt',
                'uptimeSeconds',
                'durationSeconds',
                'deliveries',
                'last',
                'lastError',
                'running',
              ].includes(key),
          )
          .map(([key, v]) => [key, strip(v)]),
      );
    }
    return value;
  };

  /** What an admin can see of everything writable, read through the API. */
  async function state(): Promise<string> {
    const paths = [
      '/api/v1/runs?limit=500',
      '/api/v1/trades?limit=1000',
      '/api/v1/configs',
      '/api/v1/configs/activations',
      '/api/v1/api-keys',
      '/api/v1/notification-channels',
      '/api/v1/wallet',
      '/api/v1/retention',
      '/api/v1/analyses?limit=500',
      '/api/v1/markets?includeExpired=true',
      '/api/v1/notifications?limit=500',
    ];
    const answers = await Promise.all(
      paths.map(async (path) => [path, strip((await t.admin('GET', path)).body)]),
    );
    return JSON.stringify(answers);
  }

  beforeAll(async () => {
    t = await startTestApi('hostile_admin');
    const runId = (
      await t.bot('POST', '/api/bot/run/start', { configId: 1, mode: 'dry_run', startingBankroll: 100 })
    ).body['runId'] as number;
    const trades = Array.from({ length: 5 }, (_, i) => ({
      runId,
      cycle: i,
      asset: 'BTC',
      windowDuration: '15m',
      side: 'buy',
      outcome: 'Up',
      price: 0.5,
      size: 1,
      strategy: 'MM',
      tokenId: 'tok',
    }));
    expect((await t.bot('POST', '/api/bot/trade/batch', { trades })).status).toBe(201);
    await t.bot('POST', '/api/bot/run/update', { runId, totalPnl: '1.5', totalFills: 2 });
    healthLoop = (async () => {
      while (!stopHealth) {
        healthChecks++;
        try {
          // A generous bound that only catches a hang, not a slow answer.
          const response = await fetch(`${t.api.url}/health`, { signal: AbortSignal.timeout(15_000) });
          if (response.status !== 200) healthFailures.push(`status ${response.status}`);
        } catch (error) {
          healthFailures.push((error as Error).message);
        }
        await new Promise((done) => setTimeout(done, 250));
      }
    })();
  });
  afterAll(async () => {
    stopHealth = true;
    await healthLoop;
    await t?.stop();
  });

  it('finds the admin routes in the OpenAPI spec', () => {
    expect(reads.length).toBeGreaterThan(25);
    expect(writes.length).toBeGreaterThan(15);
  });

  it('answers every GET with hostile query and path parameters without a 5xx, and writes nothing', async () => {
    const before = await state();
    const failures: string[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc
          .constantFrom(...reads)
          .chain((route) =>
            fc.tuple(
              fc.constant(route),
              pathArb(route.op.parameters ?? [], readId),
              queryArb(route.op.parameters ?? []),
            ),
          ),
        async ([route, pathValues, query]) => {
          const url = pathFor(route.path, pathValues) + query;
          const response = await t.raw('GET', url, { key: t.api.adminKey });
          if (response.status >= 500)
            failures.push(`GET ${url} → ${response.status} ${response.text.slice(0, 200)}`);
          return response.status < 500;
        },
      ),
      { numRuns: 400, seed: Number(process.env['FC_SEED'] ?? Date.now() % 1e9), endOnFailure: true },
    );
    expect(failures).toEqual([]);
    expect(await state()).toEqual(before);
  });

  it('answers every POST/PUT with hostile bodies and path parameters without a 5xx, and a 4xx writes nothing', async () => {
    // The state after each answer is the baseline for the next: a 2xx may change it, a 4xx must not.
    let baseline = await state();
    await fc.assert(
      fc.asyncProperty(
        fc
          .constantFrom(...writes)
          .chain((route) =>
            fc.tuple(
              fc.constant(route),
              pathArb(route.op.parameters ?? [], writeId),
              bodyArb(route.op.requestBody?.content?.['application/json']?.schema?.$ref),
            ),
          ),
        async ([route, pathValues, body]) => {
          const url = pathFor(route.path, pathValues);
          const response = await t.raw(route.method, url, { key: t.api.adminKey, body });
          const described = `${route.method} ${url} ${JSON.stringify(body)?.slice(0, 300)} → ${response.status} ${response.text.slice(0, 200)}`;
          if (response.status >= 500) throw new Error(described);
          const after = await state();
          if (response.status >= 400) {
            expect(response.body).toMatchObject({ statusCode: response.status, message: expect.any(String) });
            if (after !== baseline) throw new Error(`a 4xx changed the state: ${described}`);
          }
          baseline = after;
        },
      ),
      {
        numRuns: Number(process.env['HOSTILE_RUNS'] ?? 80),
        seed: Number(process.env['FC_SEED'] ?? Date.now() % 1e9),
        endOnFailure: true,
      },
    );
  }, 90_000);

  it('kept /health answering throughout', () => {
    expect(healthChecks).toBeGreaterThan(0);
    expect(healthFailures).toEqual([]);
  });
});
