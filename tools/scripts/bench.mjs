#!/usr/bin/env node
// npm run bench [-- --quick]: the benchmark (tools/bench/bench.ts, run with tsx). Not part of the tests.
// npm run bench -- --history [--history-trades N]: the long-history bench instead (tools/bench/history.ts).
// npm run bench -- --ab <checkout>: this build's write path against another build's (tools/bench/ab.ts).
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    join(
      root,
      process.argv.includes('--history')
        ? 'tools/bench/history.ts'
        : process.argv.includes('--ab')
          ? 'tools/bench/ab.ts'
          : 'tools/bench/bench.ts',
    ),
    ...process.argv.slice(2),
  ],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
process.on('SIGINT', () => child.kill('SIGINT'));
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
