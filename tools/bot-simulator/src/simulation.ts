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
  /**
   * Virtual unix seconds at the start (default: now). The market windows follow it, so a fixed phase
   * (say 45 s before a 15-minute boundary) gives every run the same window roll-overs: comparable load.
   */
  origin?: number;
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
  /**
   * Share of bots (0..1) whose run ends at a random moment of the trading phase (after the starts);
   * such a bot stops its run and starts a new one at once, as a bot does when a run ends and it is
   * restarted. So stops (and starts) happen at a steady pace during the trading phase. Default 0.
   */
  restartShare?: number;
  /**
   * Record the final stops (after `durationSec`) apart, in `teardown`: the summary's endpoints then
   * cover the trading phase only, and the end-of-simulation stop wave is reported separately.
   */
  separateTeardown?: boolean;
  /**
   * Simulated seconds after which each bot ends its run and starts a new one at once, over and over,
   * as a bot restarted every few hours does (default: one run a bot for the whole simulation). Each run
   * then picks up the version assigned to it at its first poll, so experiments get segments to compare.
   */
  runLengthSec?: number;
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
  /** Runs stopped (and restarted) during the trading phase (`restartShare`). */
  restarts: number;
  /** Requests/s of the trading phase once every bot has started (from the end of the starts to the end). */
  steadyRequestsPerSec: number | null;
  /** The final stop wave, when `separateTeardown` is set. */
  teardown?: {
    requests: number;
    failures: number;
    realSeconds: number;
    endpoints: EndpointSummary[];
    errors: Record<string, number>;
  };
}

/** Runs N simulated bots against a Command Center and returns what they sent and how it went. */
export async function runSimulation(options: SimulationOptions): Promise<SimulationSummary> {
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const clock = new Clock(options.speed, options.origin);
  const world = new MarketWorld(options.seed, clock.origin);
  const stats = new EndpointStats();
  // Each bot has one keep-alive connection of its own, as the Python client does (its requests go one
  // after another on it), unless the caller shares an agent.
  const agents: Agent[] = [];
  const root = new Rng(options.seed);
  const logLines: string[] = [];
  const bots: SimBot[] = [];
  const apis: BotApi[] = [];
  const makeBot = (index: number, generation: number): SimBot => {
    const bot = new SimBot({
      index: index + 1,
      api: apis[index],
      world,
      clock,
      rng: root.fork(generation === 0 ? `bot-${index}` : `bot-${index}-${generation}`),
      mode: options.mode,
      bankroll: options.bankroll ?? 500,
      cadence: options.cadence ?? REAL_CADENCE,
      doubleStopRate: options.doubleStopRate,
      log: (line) => logLines.push(line),
    });
    bots.push(bot);
    return bot;
  };
  for (let index = 0; index < options.bots; index++) {
    const apiKey = options.apiKeys?.length ? options.apiKeys[index % options.apiKeys.length] : options.apiKey;
    const agent = options.agent ?? keepAliveAgent(options.url.startsWith('https:'), 1);
    if (!options.agent) agents.push(agent);
    apis.push(new BotApi({ url: options.url, apiKey, stats, agent, timeoutMs: options.timeoutMs }));
  }
  /** The bot running in each slot now (a restarted bot replaces its predecessor). */
  const current = apis.map((_, index) => makeBot(index, 0));
  const stagger = options.staggerSec ?? Math.min(10, options.durationSec / 4);
  const staggerRng = root.fork('stagger');
  const restartRng = root.fork('restarts');
  let trading = true;
  let restarts = 0;
  const runLengthReal =
    options.runLengthSec && options.runLengthSec > 0 ? (options.runLengthSec / options.speed) * 1000 : null;
  /** Ends the bot's run once it has been running `ms` real milliseconds (checked each second). */
  const stopAfter = (bot: SimBot, ms: number) => {
    let runningSince: number | null = null;
    const check = setInterval(
      () => {
        if (bot.state !== 'running') return;
        runningSince ??= Date.now();
        if (trading && Date.now() - runningSince >= ms) bot.stopRequested = true;
      },
      Math.min(1000, Math.max(50, ms / 10)),
    );
    check.unref();
    return check;
  };
  const finished = current.map(async (first, index) => {
    const delay = options.bots > 1 ? (stagger * 1000 * index) / options.bots + staggerRng.between(0, 200) : 0;
    // A restarting bot ends its run between the end of the starts and shortly before the end.
    const restartAt =
      restartRng.next() < (options.restartShare ?? 0)
        ? restartRng.between(Math.min(stagger + 2, options.durationSec * 0.5), options.durationSec * 0.9) *
          1000
        : null;
    await clock.sleepReal(delay);
    if (clock.stopped) return;
    if (restartAt !== null) {
      setTimeout(
        () => {
          // Only a run that is going ends; a bot still trying to start keeps trying.
          if (trading && first.state === 'running') first.stopRequested = true;
        },
        Math.max(1000, restartAt - delay),
      ).unref();
    }
    let bot = first;
    for (let generation = 1; ; generation++) {
      const lapse = runLengthReal === null ? null : stopAfter(bot, runLengthReal);
      await bot.run();
      if (lapse) clearInterval(lapse);
      if (!(bot.stopRequested && bot.state === 'done' && trading && !clock.stopped)) break;
      // a run ended by a restart (restartShare once, runLengthSec every time): the bot starts a new one at once
      if (runLengthReal === null && generation > 1) break;
      restarts++;
      current[index] = bot = makeBot(index, generation);
    }
  });

  const mode = options.progress ?? 'none';
  const every = mode === 'tty' ? 1 : (options.progressEverySec ?? 10);
  let lastRequests = 0;
  let lastAt = 0;
  let ticks = 0;
  const line = () => {
    const elapsed = clock.realElapsed();
    const rate = (stats.requests - lastRequests) / Math.max(0.001, elapsed - lastAt);
    lastRequests = stats.requests;
    lastAt = elapsed;
    return progressLine(current, stats, clock, elapsed, rate);
  };
  const samples: { at: number; requests: number }[] = [];
  const ticker = setInterval(() => {
    ticks++;
    samples.push({ at: clock.realElapsed(), requests: stats.requests });
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
  if (mode !== 'none')
    write(
      `${mode === 'tty' ? '\r\x1b[2K' : ''}stopping: cancelling open orders and stopping ${bots.filter((b) => b.runId !== null).length} runs...\n`,
    );
  trading = false;
  const window = summariseStats(stats, clock.realElapsed());
  const rampEnd = samples.find((sample) => sample.at >= stagger + 1);
  const steadyRequestsPerSec =
    rampEnd && window.realSeconds - rampEnd.at >= 1
      ? (stats.requests - rampEnd.requests) / (window.realSeconds - rampEnd.at)
      : null;
  const teardown = new EndpointStats();
  const tearingDownAt = clock.realElapsed();
  if (options.separateTeardown) for (const api of apis) api.stats = teardown;
  if (!interrupted && stagger > 0 && options.bots > 1) {
    // Bots stop as they started, spread over the stagger window, not all in the same second.
    const allDone = Promise.all(finished);
    current.forEach((bot, index) =>
      setTimeout(() => (bot.stopRequested = true), (stagger * 1000 * index) / options.bots).unref(),
    );
    const cycleMs = ((options.cadence ?? REAL_CADENCE).cycleSec / options.speed) * 1000;
    await Promise.race([
      allDone,
      new Promise((resolve) => setTimeout(resolve, stagger * 1000 + cycleMs + 15_000)),
    ]);
  }
  clock.stop();
  await Promise.all(finished);
  clearInterval(ticker);
  if (mode === 'tty') write(`\r\x1b[2K${line()}\n`);
  else if (mode === 'plain') write(`${line()}\n`);
  for (const agent of agents) agent.destroy();
  const summary = summarise(bots, stats, clock, options);
  summary.restarts = restarts;
  summary.steadyRequestsPerSec = steadyRequestsPerSec;
  if (options.separateTeardown) {
    Object.assign(summary, {
      realSeconds: window.realSeconds,
      endpoints: window.endpoints,
      requestsPerSec: stats.requests / window.realSeconds,
    });
    summary.teardown = {
      ...summariseStats(teardown, clock.realElapsed() - tearingDownAt),
      requests: teardown.requests,
      failures: teardown.failures,
    };
  }
  return summary;
}

function summariseStats(
  stats: EndpointStats,
  realSeconds: number,
): { realSeconds: number; endpoints: EndpointSummary[]; errors: Record<string, number> } {
  const endpoints: EndpointSummary[] = [...stats.byEndpoint.entries()]
    .map(([endpoint, h]) => ({
      endpoint,
      count: h.count,
      perSec: h.count / realSeconds,
      p50: h.percentile(0.5),
      p99: h.percentile(0.99),
      max: h.max,
      failures: [...stats.errors.entries()]
        .filter(([k]) => k.startsWith(`${endpoint} `))
        .reduce((s, [, v]) => s + v, 0),
    }))
    .sort((a, b) => b.count - a.count);
  return { realSeconds, endpoints, errors: Object.fromEntries(stats.errors) };
}

function fmtDuration(seconds: number): string {
  const s = Math.floor(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return `${h > 0 ? `${h}:` : ''}${String(m).padStart(2, '0')}:${String(rest).padStart(2, '0')}`;
}

export function progressLine(
  bots: SimBot[],
  stats: EndpointStats,
  clock: Clock,
  elapsed: number,
  rate: number,
): string {
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

function summarise(
  bots: SimBot[],
  stats: EndpointStats,
  clock: Clock,
  options: SimulationOptions,
): SimulationSummary {
  const { realSeconds, endpoints } = summariseStats(stats, clock.realElapsed());
  const sum = (pick: (bot: SimBot) => number) => bots.reduce((s, bot) => s + pick(bot), 0);
  return {
    bots: options.bots,
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
    restarts: 0,
    steadyRequestsPerSec: null,
  };
}
