import { parseArgs, USAGE } from './cli';
import { fleetKeys } from './fleet-keys';
import { seedFrom } from './rng';
import { runSimulation, SimulationSummary } from './simulation';

function printSummary(summary: SimulationSummary): void {
  const lines = [
    '',
    `${summary.bots} bots, ${summary.runsStarted} runs started, ${summary.runsStopped} stopped, ${summary.realSeconds.toFixed(1)} s at x${summary.speed}`,
    `${summary.requests} requests (${summary.requestsPerSec.toFixed(1)}/s), ${summary.failures} failed; ` +
      `${summary.orders} orders, ${summary.fills} fills, ${summary.cancels} cancels, ${summary.hedges} hedges; ` +
      `P&L ${summary.totalPnl.toFixed(2)} USDC`,
    '',
    '| endpoint | requests | p50 ms | p99 ms | max ms | failed |',
    '|---|---:|---:|---:|---:|---:|',
    ...summary.endpoints.map(
      (e) =>
        `| ${e.endpoint} | ${e.count} | ${e.p50.toFixed(1)} | ${e.p99.toFixed(1)} | ${e.max.toFixed(1)} | ${e.failures} |`,
    ),
  ];
  const errors = Object.entries(summary.errors);
  if (errors.length > 0) lines.push('', 'errors:', ...errors.map(([k, v]) => `  ${k}: ${v}`));
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main(): Promise<number> {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  let apiKeys: string[] | undefined;
  if (options.keys > 0) {
    const keys = await fleetKeys(options.url, options.adminKey, options.keys, options.tags, options.keysFile);
    apiKeys = keys.map((k) => k.secret);
    if (!options.json)
      process.stdout.write(
        `${keys.length} bot keys of their own (${keys.map((k) => k.name).join(', ')})${options.tags.length ? `, tagged ${options.tags.join(', ')} in turn` : ''}.\n`,
      );
  } else if (!options.key) {
    process.stderr.write(
      'No bot API key: pass --key or set POLYMAKER_API_KEY, or --keys N with an admin key (npm run demo sets one up for you).\n',
    );
    return 2;
  }
  const progress = options.progress ?? (options.json ? 'none' : process.stdout.isTTY ? 'tty' : 'plain');
  if (!options.json) {
    process.stdout.write(
      `Simulating ${options.bots} bot(s) against ${options.url} at x${options.speed} for ${options.durationSec} s (seed ${options.seed}). Ctrl-C stops the runs cleanly.\n`,
    );
  }
  let interrupted = 0;
  let requestStop: () => void = () => undefined;
  const stopSignal = new Promise<void>((resolve) => (requestStop = resolve));
  const onSignal = () => {
    interrupted++;
    if (interrupted > 1) process.exit(130);
    requestStop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const summary = await runSimulation({
    url: options.url,
    apiKey: apiKeys?.[0] ?? options.key,
    apiKeys,
    bots: options.bots,
    speed: options.speed,
    durationSec: options.durationSec,
    seed: seedFrom(options.seed),
    staggerSec: options.staggerSec,
    mode: options.mode,
    bankroll: options.bankroll,
    progress,
    stopSignal,
    runLengthSec: options.runLengthSec,
  });
  if (options.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else printSummary(summary);
  if (summary.runsStarted === 0) {
    process.stderr.write('No run could be started: is the Command Center up, and is the key a bot key?\n');
    const sample = Object.keys(summary.errors).slice(0, 3).join(', ');
    if (sample) process.stderr.write(`errors: ${sample}\n`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`${error.stack ?? error.message}\n`);
    process.exit(1);
  },
);
