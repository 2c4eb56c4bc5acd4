import type { Agent } from 'node:http';
import { BotApi, keepAliveAgent } from './bot-api';
import { Cadence, REAL_CADENCE, SimBot } from './bot';
import { Clock } from './clock';
import { MarketWorld } from './market';
import { Rng } from './rng';
import { EndpointStats } from './stats';
import { RunMode } from './wire';

export interface SimulationOptions {
  url: string;
  apiKey: string;
  /** When given, bot i uses apiKeys[i % length] (spreads load over several keys' rate limits). */
  apiKeys?: string[];
  bots: number;
  /** Virtual seconds per real second (cadences are divided by it). */
  speed: number;
  /** Real seconds of trading before the bots stop their runs. */
  durationSec: number;
  seed: number;
  /** Real seconds over which bot starts are spread (default: min(10, duration / 4)). */
  staggerSec?: number;
  mode?: RunMode;
  bankroll?: number;
  cadence?: Cadence;
  doubleStopRate?: number;
  /** tty: one line rewritten every second; plain: a line every `progressEverySec`; none. */
  progress?: 'tty' | 'plain' | 'none';
  progressEverySec?: number;
  write?: (text: string) => void;
  agent?: Agent;
  timeoutMs?: number;
  /** Called once a second while the simulation runs (the bench samples API memory here). */
  onTick?: (elapsedSec: number) => void;
  /** Resolves to end the trading phase early (Ctrl-C). */
  stopSignal?: Promise<void>;
}

export interface EndpointSummary {
  endpoint: string;
  count: number;
  perSec: number;
  p50: number;
  p99: number;
  max: number;
  failures: number;
}

export interface SimulationSummary {
  bots: number;
  speed: number;
  runsStarted: number;
  runsStopped: number;
  realSeconds: number;
  requests: number;
  failures: number;
  requestsPerSec: number;
  orders: number;
  fills: number;
  cancels: number;
  updates: number;
  hedges: number;
  totalPnl: number;
  endpoints: EndpointSummary[];
  errors: Record<string, number>;
  runIds: number[];
}

/** Runs N simulated bots against a Command Center and returns what they sent and how it went. */
export async function runSimulation(options: SimulationOptions): Promise<SimulationSummary> {
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const clock = new Clock(options.speed);
  const world = new MarketWorld(options.seed, clock.origin);
  const stats = new EndpointStats();
  const agent = options.agent ?? keepAliveAgent(options.url.startsWith('https:'));
  const root = new Rng(options.seed);
  const logLines: string[] = [];
  const bots: SimBot[] = [];
  for (let index = 0; index < options.bots; index++) {
    const apiKey = options.apiKeys?.length ? options.apiKeys[index % options.apiKeys.length] : options.apiKey;
    const api = new BotApi({ url: options.url, apiKey, stats, agent, timeoutMs: options.timeoutMs });
    bots.push(
      new SimBot({
        index: index + 1,
        api,
        world,
        clock,
        rng: root.fork(`bot-${index}`),
        mode: options.mode,
        bankroll: options.bankroll ?? 500,
        cadence: options.cadence ?? REAL_CADENCE,
        doubleStopRate: options.doubleStopRate,
        log: (line) => logLines.push(line),
      }),
    );
  }
  const stagger = options.staggerSec ?? Math.min(10, options.durationSec / 4);
  const staggerRng = root.fork('stagger');
  const finished = bots.map(async (bot, index) => {
    const delay = options.bots > 1 ? (stagger * 1000 * index) / options.bots + staggerRng.between(0, 200) : 0;
    await clock.sleepReal(delay);
    if (clock.stopped) return;
    await bot.run();
  });

  const mode = options.progress ?? 'none';
  const every = mode === 'tty' ? 1 : options.progressEverySec ?? 10;
  let lastRequests = 0;
  let lastAt = 0;
  let ticks = 0;
  const line = () => {
    const elapsed = clock.realElapsed();
    const rate = (stats.requests - lastRequests) / Math.max(0.001, elapsed - lastAt);
    lastRequests = stats.requests;
    lastAt = elapsed;
    return progressLine(bots, stats, clock, elapsed, rate);
  };
  const ticker = setInterval(() => {
    ticks++;
    options.onTick?.(clock.realElapsed());
    for (const entry of logLines.splice(0)) {
      if (mode === 'tty') write(`\r\x1b[2K${entry}\n`);
      else if (mode === 'plain') write(`${entry}\n`);
    }
    if (mode === 'tty') write(`\r\x1b[2K${line()}`);
    else if (mode === 'plain' && ticks % every === 0) write(`${line()}\n`);
  }, 1000);

  const interrupted = await Promise.race([
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), options.durationSec * 1000)),
    (options.stopSignal ?? new Promise<void>(() => undefined)).then(() => true),
  ]);
  if (mode !== 'none') write(`${mode === 'tty' ? '\r\x1b[2K' : ''}stopping: cancelling open orders and stopping ${bots.filter((b) => b.runId !== null).length} runs...\n`);
  if (!interrupted && stagger > 0 && options.bots > 1) {
    // Bots stop as they started, spread over the stagger window, not all in the same second.
    const allDone = Promise.all(finished);
    bots.forEach((bot, index) => setTimeout(() => (bot.stopRequested = true), (stagger * 1000 * index) / options.bots).unref());
    const cycleMs = ((options.cadence ?? REAL_CADENCE).cycleSec / options.speed) * 1000;
    await Promise.race([allDone, new Promise((resolve) => setTimeout(resolve, stagger * 1000 + cycleMs + 15_000))]);
  }
  clock.stop();
  await Promise.all(finished);
  clearInterval(ticker);
  if (mode === 'tty') write(`\r\x1b[2K${line()}\n`);
  else if (mode === 'plain') write(`${line()}\n`);
  if (!options.agent) agent.destroy();
  return summarise(bots, stats, clock, options);
}

function fmtDuration(seconds: number): string {
  const s = Math.floor(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return `${h > 0 ? `${h}:` : ''}${String(m).padStart(2, '0')}:${String(rest).padStart(2, '0')}`;
}

export function progressLine(bots: SimBot[], stats: EndpointStats, clock: Clock, elapsed: number, rate: number): string {
  const running = bots.filter((b) => b.state === 'running').length;
  const paused = bots.some((b) => b.paused);
  let orders = 0;
  let fills = 0;
  let cancels = 0;
  let pnl = 0;
  for (const bot of bots) {
    orders += bot.counters.orders;
    fills += bot.counters.fills;
    cancels += bot.counters.cancels;
    pnl += bot.totalPnl;
  }
  const all = stats.all();
  const p99 = all.count ? `${all.percentile(0.99).toFixed(1)} ms` : '-';
  const virtual = new Date(clock.now() * 1000).toISOString().slice(11, 19);
  return (
    `[${fmtDuration(elapsed)}] sim ${virtual}Z x${clock.speed} | bots ${running}/${bots.length} | ` +
    `req ${stats.requests} (${rate.toFixed(0)}/s, p99 ${p99}, errors ${stats.failures}) | ` +
    `orders ${orders} fills ${fills} cancels ${cancels} | P&L ${pnl >= 0 ? '+' : ''}${pnl.toFixed(2)} USDC` +
    (paused ? ' | ORDERS PAUSED' : '')
  );
}

function summarise(bots: SimBot[], stats: EndpointStats, clock: Clock, options: SimulationOptions): SimulationSummary {
  const realSeconds = clock.realElapsed();
  const endpoints: EndpointSummary[] = [...stats.byEndpoint.entries()]
    .map(([endpoint, h]) => ({
      endpoint,
      count: h.count,
      perSec: h.count / realSeconds,
      p50: h.percentile(0.5),
      p99: h.percentile(0.99),
      max: h.max,
      failures: [...stats.errors.entries()].filter(([k]) => k.startsWith(`${endpoint} `)).reduce((s, [, v]) => s + v, 0),
    }))
    .sort((a, b) => b.count - a.count);
  const sum = (pick: (bot: SimBot) => number) => bots.reduce((s, bot) => s + pick(bot), 0);
  return {
    bots: bots.length,
    speed: options.speed,
    runsStarted: bots.filter((b) => b.runId !== null).length,
    runsStopped: bots.filter((b) => b.state === 'done').length,
    realSeconds,
    requests: stats.requests,
    failures: stats.failures,
    requestsPerSec: stats.requests / realSeconds,
    orders: sum((b) => b.counters.orders),
    fills: sum((b) => b.counters.fills),
    cancels: sum((b) => b.counters.cancels),
    updates: sum((b) => b.counters.updates),
    hedges: sum((b) => b.counters.hedges),
    totalPnl: sum((b) => b.totalPnl),
    endpoints,
    errors: Object.fromEntries(stats.errors),
    runIds: bots.map((b) => b.runId).filter((id): id is number => id !== null),
  };
}
