/**
 * The bench's simulated fleet, run in a process of its own so the load generator does not share an
 * event loop (or a core's worth of timers) with the bench: `runFleet()` spawns this file, samples the
 * API's memory meanwhile, and reads back the simulation's summary together with the generator's own
 * CPU use and event-loop delay (to tell when the generator, not the server, was the bottleneck).
 *
 * As a script: `node --import tsx tools/bench/fleet.ts <options.json>` prints one JSON line.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { REAL_CADENCE } from '../bot-simulator/src/bot';
import { runSimulation, SimulationSummary } from '../bot-simulator/src/simulation';

export interface FleetOptions {
  url: string;
  /** One key per bot when there are enough (bot i uses keys[i % length]). */
  keys: string[];
  bots: number;
  speed: number;
  durationSec: number;
  /** Starts spread over this many seconds (and the final stops too). */
  rampSec: number;
  /** Share of bots whose run ends (and restarts) during the window. */
  restartShare: number;
  seed: number;
  /** Virtual unix seconds at the start (see SimulationOptions.origin). */
  origin?: number;
}

export interface GeneratorLoad {
  /** CPU time of the generator process over its wall time, in % of one core. */
  cpuPercent: number;
  eventLoopP99Ms: number;
  eventLoopMaxMs: number;
}

export interface FleetResult {
  summary: SimulationSummary;
  generator: GeneratorLoad;
  /** Peak VmRSS of the API process during the fleet (MB), NaN when not known. */
  apiPeakRssMb: number;
}

export function rssMb(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Runs the fleet in a child process; `apiPid` (when known) is sampled for RSS every 500 ms. */
export async function runFleet(options: FleetOptions, apiPid: number | null): Promise<FleetResult> {
  const dir = mkdtempSync('/tmp/polymaker-bench-fleet-');
  const file = join(dir, 'options.json');
  writeFileSync(file, JSON.stringify(options));
  let peak = apiPid ? rssMb(apiPid) : NaN;
  const sampler = setInterval(() => {
    if (apiPid) peak = Math.max(Number.isFinite(peak) ? peak : 0, rssMb(apiPid));
  }, 500);
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', __filename, file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const code = await new Promise<number | null>((done) => child.once('exit', done));
    const line = out.trim().split('\n').pop() ?? '';
    if (code !== 0 || !line.startsWith('{'))
      throw new Error(`the fleet generator exited ${code}: ${err.slice(-800)}`);
    const parsed = JSON.parse(line) as { summary: SimulationSummary; generator: GeneratorLoad };
    if (apiPid) peak = Math.max(Number.isFinite(peak) ? peak : 0, rssMb(apiPid));
    return { ...parsed, apiPeakRssMb: peak };
  } finally {
    clearInterval(sampler);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function child(file: string): Promise<void> {
  const options = JSON.parse(readFileSync(file, 'utf8')) as FleetOptions;
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const summary = await runSimulation({
    url: options.url,
    apiKey: options.keys[0],
    apiKeys: options.keys,
    bots: options.bots,
    speed: options.speed,
    durationSec: options.durationSec,
    staggerSec: options.rampSec,
    restartShare: options.restartShare,
    separateTeardown: true,
    seed: options.seed,
    origin: options.origin,
    cadence: REAL_CADENCE,
    progress: 'none',
  });
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - t0;
  loop.disable();
  const generator: GeneratorLoad = {
    cpuPercent: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
    eventLoopP99Ms: loop.percentile(99) / 1e6,
    eventLoopMaxMs: loop.max / 1e6,
  };
  process.stdout.write(`${JSON.stringify({ summary, generator })}\n`);
}

if (require.main === module) {
  child(process.argv[2]).then(
    () => process.exit(0),
    (error: Error) => {
      process.stderr.write(`${error.stack ?? error.message}\n`);
      process.exit(1);
    },
  );
}
