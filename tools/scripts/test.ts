/**
 * npm test: every suite, against real PostgreSQL (embedded unless TEST_DATABASE_URL is set),
 * real processes and a real browser. Prints a table of the suites and a closing line
 * "N passed, N failed"; exits non-zero when anything failed.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { startApiProcess } from '../testing/api-process';
import { createDatabase, startTestPostgres, TestPostgres } from '../testing/test-postgres';

const ROOT = resolve(__dirname, '../..');
const TMP = join(ROOT, 'tmp/test');
const ENV = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', FORCE_COLOR: '0' };

interface Outcome {
  passed: number;
  failed: number;
  note?: string;
}

interface Suite {
  name: string;
  /** Reads the code only (lint, format, types): its result does not depend on the Node.js that runs it. */
  static?: boolean;
  run(): Promise<Outcome>;
}

function run(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? ROOT,
      env: options.env ?? ENV,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const forward = (chunk: Buffer) => {
      output += chunk.toString();
      process.stdout.write(chunk);
    };
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    child.on('close', (code) => done({ code: code ?? 1, output }));
  });
}

/** Jest's own counts, from its --json output. */
function jestOutcome(file: string, code: number): Outcome {
  if (!existsSync(file)) return { passed: 0, failed: 1, note: `jest exited ${code} without results` };
  const result = JSON.parse(readFileSync(file, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    numRuntimeErrorTestSuites: number;
  };
  return {
    passed: result.numPassedTests,
    failed:
      result.numFailedTests +
      result.numRuntimeErrorTestSuites +
      (code !== 0 && result.numFailedTests === 0 ? 1 : 0),
  };
}

/** unittest's counts: "Ran N tests" and "FAILED (failures=a, errors=b)". */
function unittestOutcome(output: string, code: number): Outcome {
  const ran = Number(/Ran (\d+) tests?/.exec(output)?.[1] ?? 0);
  const failures =
    Number(/failures=(\d+)/.exec(output)?.[1] ?? 0) + Number(/errors=(\d+)/.exec(output)?.[1] ?? 0);
  const skipped = Number(/skipped=(\d+)/.exec(output)?.[1] ?? 0);
  const failed = code !== 0 && failures === 0 ? 1 : failures;
  return {
    passed: Math.max(0, ran - failures - skipped),
    failed,
    note: skipped ? `${skipped} skipped` : undefined,
  };
}

/** Every project's jest.config.ts under apps/, libs/ and tools/, except the end-to-end apps. */
function unitJestConfigs(): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 4 || !existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.') || entry.name === 'src') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path, depth + 1);
      else if (entry.name === 'jest.config.ts' && !dir.endsWith('-e2e')) found.push(relative(ROOT, path));
    }
  };
  for (const top of ['apps', 'libs', 'tools']) walk(join(ROOT, top), 0);
  return found.sort();
}

async function main(): Promise<void> {
  mkdirSync(TMP, { recursive: true });
  let postgres: TestPostgres | null = null;
  const pg = async () => (postgres ??= await startTestPostgres());
  const apps = ['api', ...(existsSync(join(ROOT, 'apps/admin/project.json')) ? ['admin'] : [])];

  const suites: Suite[] = [
    {
      name: 'lint (ESLint, module boundaries)',
      static: true,
      run: async () => {
        const { code } = await run('npx', [
          'nx',
          'run-many',
          '-t',
          'lint',
          '--output-style=static',
          '--parallel=2',
        ]);
        return code === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 };
      },
    },
    {
      name: 'formatting (Prettier --check, every .ts and .mjs file)',
      static: true,
      run: async () => {
        const { code } = await run('npx', ['prettier', '--check', '**/*.{ts,mjs}']);
        return code === 0
          ? { passed: 1, failed: 0 }
          : { passed: 0, failed: 1, note: 'npx prettier --write "**/*.{ts,mjs}" fixes it' };
      },
    },
    {
      name: 'type check (tsc --noEmit, strict)',
      static: true,
      run: async () => {
        // The API with its libs, the end-to-end code and the tools; the admin app is checked by its build.
        const projects = [
          'apps/api/tsconfig.app.json',
          'apps/api-e2e/tsconfig.spec.json',
          'tools/testing/tsconfig.json',
          'tools/bot-simulator/tsconfig.json',
          'tools/bench/tsconfig.json',
          'apps/admin-e2e/tsconfig.json',
        ];
        let failed = 0;
        for (const project of projects.filter((file) => existsSync(join(ROOT, file)))) {
          const { code } = await run('npx', ['tsc', '-p', project, '--noEmit']);
          if (code !== 0) failed += 1;
        }
        return { passed: failed === 0 ? 1 : 0, failed };
      },
    },
    {
      name: `production build (${apps.join(', ')})`,
      run: async () => {
        const { code } = await run('npx', [
          'nx',
          'run-many',
          '-t',
          'build',
          '-p',
          ...apps,
          '--output-style=static',
        ]);
        return code === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 };
      },
    },
    {
      name: 'admin app initial JavaScript under 350 kB compressed',
      run: async () => {
        if (!apps.includes('admin')) return { passed: 0, failed: 0, note: 'no admin app' };
        const { code } = await run('npx', ['nx', 'run', 'admin:budget', '--output-style=static']);
        return code === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 };
      },
    },
    {
      name: 'unit tests (jest, beside the code)',
      run: async () => {
        const file = join(TMP, 'unit.json');
        const configs = unitJestConfigs();
        const { code } = await run('npx', [
          'jest',
          '--projects',
          ...configs,
          '--json',
          `--outputFile=${file}`,
          '--ci',
        ]);
        return jestOutcome(file, code);
      },
    },
    {
      name: 'OpenAPI spec matches the code',
      run: async () => {
        const produced = join(TMP, 'openapi.json');
        const { code } = await run(process.execPath, ['dist/apps/api/main.js', '--write-openapi', produced]);
        if (code !== 0) return { passed: 0, failed: 1 };
        const same =
          readFileSync(produced, 'utf8') === readFileSync(join(ROOT, 'openapi/openapi.json'), 'utf8');
        if (!same)
          console.error(
            'openapi/openapi.json differs from what the code produces: run "npm run openapi" and commit it.',
          );
        return same ? { passed: 1, failed: 0 } : { passed: 0, failed: 1, note: 'run npm run openapi' };
      },
    },
    {
      name: 'generated API client matches the spec',
      run: async () => {
        const check = join(ROOT, 'libs/shared/api-client/check-generated.mjs');
        if (!existsSync(check)) return { passed: 0, failed: 0, note: 'no generated client yet' };
        const { code } = await run(process.execPath, [check]);
        return code === 0
          ? { passed: 1, failed: 0 }
          : { passed: 0, failed: 1, note: 'run npm run api-client' };
      },
    },
    {
      name: 'API end to end (jest over HTTP, real PostgreSQL)',
      run: async () => {
        const server = await pg();
        const file = join(TMP, 'api-e2e.json');
        const { code } = await run(
          'npx',
          ['jest', '-c', 'apps/api-e2e/jest.config.ts', '--json', `--outputFile=${file}`, '--ci'],
          {
            env: { ...ENV, TEST_DATABASE_URL: server.serverUrl },
          },
        );
        return jestOutcome(file, code);
      },
    },
    {
      name: 'bot session played by Python over HTTP (stdlib)',
      run: async () => {
        const server = await pg();
        let passed = 0;
        let failed = 0;
        for (const flags of [[], ['--idempotency']]) {
          const api = await startApiProcess({
            databaseUrl: await createDatabase(server.serverUrl, 'pysession'),
          });
          try {
            const { code } = await run('python3', [
              'tools/bot-session/play_session.py',
              '--url',
              api.url,
              '--bot-key',
              api.botKey,
              '--admin-key',
              api.adminKey,
              ...flags,
            ]);
            if (code === 0) passed += 1;
            else failed += 1;
          } finally {
            await api.stop();
          }
        }
        return { passed, failed };
      },
    },
    {
      name: 'Python client (unittest against the real API)',
      run: async () => {
        const server = await pg();
        const { code, output } = await run(
          'python3',
          ['-m', 'unittest', 'discover', '-s', 'clients/python/tests', '-v'],
          {
            env: {
              ...ENV,
              PM_TEST_API_CMD: `"${process.execPath}" "${join(ROOT, 'dist/apps/api/main.js')}"`,
              PM_TEST_DATABASE_URL: await createDatabase(server.serverUrl, 'pyclient'),
              PM_TEST_PG_URL: server.serverUrl,
              PYTHONPATH: join(ROOT, 'clients/python'),
            },
          },
        );
        return unittestOutcome(output, code);
      },
    },
  ];

  const adminE2e = join(ROOT, 'apps/admin-e2e/src/run.ts');
  if (existsSync(adminE2e)) {
    suites.push({
      name: 'admin app in Chromium (Playwright)',
      run: async () => {
        const server = await pg();
        const { code, output } = await run('npx', ['tsx', adminE2e], {
          env: { ...ENV, TEST_DATABASE_URL: server.serverUrl },
        });
        const match = /(\d+) passed, (\d+) failed/.exec(
          output
            .split('\n')
            .reverse()
            .find((line) => /passed, \d+ failed/.test(line)) ?? '',
        );
        if (match)
          return {
            passed: Number(match[1]),
            failed: Number(match[2]) + (code !== 0 && match[2] === '0' ? 1 : 0),
          };
        return code === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 };
      },
    });
  }

  const only = process.env['TEST_ONLY'];
  // CI's second pass (Node 24) sets it: the static checks already ran on the first pass, on the same code
  const skipStatic = process.env['TEST_SKIP_STATIC'] === '1';
  const results: { name: string; outcome: Outcome; seconds: number }[] = [];
  try {
    for (const suite of suites) {
      if (only && !suite.name.toLowerCase().includes(only.toLowerCase())) continue;
      if (skipStatic && suite.static) {
        results.push({
          name: suite.name,
          outcome: { passed: 0, failed: 0, note: 'skipped (TEST_SKIP_STATIC=1: run on the first pass)' },
          seconds: 0,
        });
        continue;
      }
      console.log(`\n=== ${suite.name}`);
      const started = Date.now();
      let outcome: Outcome;
      try {
        outcome = await suite.run();
      } catch (error) {
        console.error(error);
        outcome = { passed: 0, failed: 1, note: (error as Error).message.split('\n')[0] };
      }
      results.push({ name: suite.name, outcome, seconds: Math.round((Date.now() - started) / 1000) });
    }
  } finally {
    await (postgres as TestPostgres | null)?.stop();
  }

  const table = [
    '| suite | passed | failed | time | note |',
    '|---|---:|---:|---:|---|',
    ...results.map(
      (r) =>
        `| ${r.name} | ${r.outcome.passed} | ${r.outcome.failed} | ${r.seconds} s | ${r.outcome.note ?? ''} |`,
    ),
  ].join('\n');
  writeFileSync(join(TMP, 'summary.md'), `${table}\n`);
  const passed = results.reduce((sum, r) => sum + r.outcome.passed, 0);
  const failed = results.reduce((sum, r) => sum + r.outcome.failed, 0);
  console.log(`\n${table}\n`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 || passed === 0 ? 1 : 0);
}

void main();
