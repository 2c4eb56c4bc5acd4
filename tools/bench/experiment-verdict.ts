/**
 * How long an experiment takes to tell two versions apart, with simulated bots over the real API.
 *
 * Six bots with keys of their own, in three pairs: the baseline (the active version), a version
 * that really earns more (the simulator's `simEdge`: it fills that much cheaper) and an identical
 * copy of the baseline. Two experiments run side by side: baseline against the better version, and
 * baseline against its copy. Each bot ends its run every `runLength` of simulated time and starts a
 * new one (so the experiment gets segments). The experiments are read every few seconds; printed:
 * the real seconds (and the bot-hours under the two versions, by the server's clock) until the first
 * verdict, and whether the copy was ever told apart. Nothing here is asserted: the figures go to the bench table.
 *
 * As a script: `node --import tsx tools/bench/experiment-verdict.ts [--speed 60] [--run-length 600]
 * [--seconds 240] [--edge 0.02] [--seed 7]` prints a JSON line. `npm run bench` runs it as one row.
 */
import { request } from '../testing/http-client';
import { startApiProcess } from '../testing/api-process';
import { startTestPostgres } from '../testing/test-postgres';
import { runSimulation } from '../bot-simulator/src/simulation';

export interface VerdictOptions {
  speed: number;
  /** Simulated seconds of each run. */
  runLengthSec: number;
  /** Real seconds the bots run. */
  seconds: number;
  edge: number;
  seed: number;
}

export interface VerdictResult {
  options: VerdictOptions;
  /** Hours under the two versions together (the server's clock: real time) when the better one was first told apart; null: never. */
  hoursToVerdict: number | null;
  realSecondsToVerdict: number | null;
  verdict: string;
  /** The copy's verdict at the end, and whether it was ever told apart (it must not be). */
  nullVerdict: string;
  nullEverTold: boolean;
  /** Segments of each version at the end (baseline, better, copy). */
  segments: number[];
  hours: number[];
}

interface Comparison {
  significant: boolean;
  difference: number | null;
  verdict: string;
}
interface ExperimentResult {
  versions: { configId: number; hours: number; segments: number }[];
  comparisons: Comparison[];
}

export async function measureVerdict(
  options: VerdictOptions,
  log: (line: string) => void = () => undefined,
): Promise<VerdictResult> {
  const pg = await startTestPostgres();
  const api = await startApiProcess({
    databaseUrl: await pg.createDatabase('experiment_verdict'),
    env: { LOG_LEVEL: 'error' },
  });
  try {
    const admin = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      const answer = await request<T>(api.url, method, path, { key: api.adminKey, body });
      if (answer.status >= 300)
        throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
      return answer.body;
    };
    const active = await admin<{ id: number }>('GET', '/api/v1/configs/active');
    const better = await admin<{ id: number }>('POST', '/api/v1/configs', {
      basedOnId: active.id,
      values: { simEdge: options.edge },
      note: `fills ${options.edge} cheaper`,
    });
    const copy = await admin<{ id: number }>('POST', '/api/v1/configs', {
      basedOnId: active.id,
      values: { simEdge: 0 },
      note: 'the baseline again',
    });
    const keys: { secret: string; botId: number }[] = [];
    for (let i = 0; i < 6; i++) {
      const made = await admin<{ secret: string; apiKey: { botId: number } }>('POST', '/api/v1/api-keys', {
        name: `verdict bot ${i + 1}`,
        scope: 'bot',
      });
      keys.push({ secret: made.secret, botId: made.apiKey.botId });
    }
    // bots 0-1 keep the baseline, 2-3 get the better version, 4-5 the copy
    const pair = (i: number) => [keys[2 * i].botId, keys[2 * i + 1].botId];
    const real = await admin<{ id: number }>('POST', '/api/v1/experiments', {
      name: 'a version that really earns more',
      configIds: [active.id, better.id],
      botIds: [...pair(0), ...pair(1)],
      assign: pair(1).map((botId) => ({ configId: better.id, botId })),
    });
    const none = await admin<{ id: number }>('POST', '/api/v1/experiments', {
      name: 'the same version twice',
      configIds: [active.id, copy.id],
      botIds: [...pair(0), ...pair(2)],
      assign: pair(2).map((botId) => ({ configId: copy.id, botId })),
    });

    const started = Date.now();
    let hoursToVerdict: number | null = null;
    let realSecondsToVerdict: number | null = null;
    let nullEverTold = false;
    let last: { real: ExperimentResult; none: ExperimentResult } | null = null;
    const read = async () => {
      const [r, n] = await Promise.all([
        admin<ExperimentResult>('GET', `/api/v1/experiments/${real.id}`),
        admin<ExperimentResult>('GET', `/api/v1/experiments/${none.id}`),
      ]);
      last = { real: r, none: n };
      if (hoursToVerdict === null && r.comparisons[0]?.significant) {
        hoursToVerdict = r.versions.reduce((a, v) => a + v.hours, 0);
        realSecondsToVerdict = (Date.now() - started) / 1000;
        log(
          `told apart after ${realSecondsToVerdict.toFixed(0)} s (${hoursToVerdict.toFixed(2)} bot-hours under the two versions): ${r.comparisons[0].verdict}`,
        );
      }
      if (n.comparisons[0]?.significant) nullEverTold = true;
    };
    const poller = setInterval(() => void read().catch(() => undefined), 5000);
    try {
      await runSimulation({
        url: api.url,
        apiKey: keys[0].secret,
        apiKeys: keys.map((k) => k.secret),
        bots: keys.length,
        speed: options.speed,
        durationSec: options.seconds,
        seed: options.seed,
        staggerSec: 2,
        runLengthSec: options.runLengthSec,
      });
    } finally {
      clearInterval(poller);
    }
    await new Promise((done) => setTimeout(done, 1500)); // the last stops' analyses
    await read();
    const end = last as { real: ExperimentResult; none: ExperimentResult } | null;
    if (!end) throw new Error('the experiments were never read');
    return {
      options,
      hoursToVerdict,
      realSecondsToVerdict,
      verdict: end.real.comparisons[0]?.verdict ?? '',
      nullVerdict: end.none.comparisons[0]?.verdict ?? '',
      nullEverTold,
      segments: [end.real.versions[0].segments, end.real.versions[1].segments, end.none.versions[1].segments],
      hours: [end.real.versions[0].hours, end.real.versions[1].hours, end.none.versions[1].hours],
    };
  } finally {
    await api.stop();
    await pg.stop();
  }
}

if (require.main === module) {
  const arg = (name: string, fallback: number) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : fallback;
  };
  measureVerdict(
    {
      speed: arg('speed', 60),
      runLengthSec: arg('run-length', 600),
      seconds: arg('seconds', 240),
      edge: arg('edge', 0.02),
      seed: arg('seed', 7),
    },
    (line) => process.stderr.write(`${line}\n`),
  ).then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (error: Error) => {
      process.stderr.write(`${error.stack ?? error.message}\n`);
      process.exit(1);
    },
  );
}
