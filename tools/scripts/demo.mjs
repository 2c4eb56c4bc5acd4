#!/usr/bin/env node
// npm run demo [-- simulator options]: starts the Command Center (embedded PostgreSQL in .data) when
// nothing answers on its URL, makes sure there is a bot key, and runs a few simulated bots at x30 so
// the dashboard fills up within a minute. Ctrl-C stops the bots' runs, then the server it started.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApps } from './nx-env.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
process.chdir(root);

function readDotEnv() {
  const file = join(root, '.env');
  if (!existsSync(file)) return;
  for (const raw of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(raw);
    if (!match || raw.trim().startsWith('#')) continue;
    let value = match[2];
    if (/^(['"]).*\1$/.test(value)) value = value.slice(1, -1);
    else value = value.replace(/\s+#.*$/, '');
    if (process.env[match[1]] === undefined) process.env[match[1]] = value;
  }
}

const say = (line = '') => process.stdout.write(`${line}\n`);
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

async function answers(url, path) {
  try {
    const response = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(1500) });
    return response.ok;
  } catch {
    return false;
  }
}

/** True when the server answers its root with the admin app's page (a server without the build answers 404 JSON). */
async function servesAdminApp(url) {
  try {
    const response = await fetch(`${url}/`, { signal: AbortSignal.timeout(3000) });
    return response.ok && (response.headers.get('content-type') ?? '').includes('text/html');
  } catch {
    return false;
  }
}

async function createBotKey(url, adminKey) {
  const response = await fetch(`${url}/api/v1/api-keys`, {
    method: 'POST',
    headers: { 'X-Api-Key': adminKey, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: `demo simulator ${new Date().toISOString().slice(0, 16)}`, scope: 'bot' }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok || typeof body.secret !== 'string') {
    throw new Error(
      `could not create a bot key with ADMIN_API_KEY (${response.status}): ${body.message ?? JSON.stringify(body)}`,
    );
  }
  return body.secret;
}

/** The simulator's edge of the demo's better version: it fills this much cheaper (simEdge, simulator only). */
const DEMO_EDGE = 0.1;

/**
 * Two experiments, started once per data directory: the active version (on vps-1) against one whose
 * fills are DEMO_EDGE cheaper (assigned to vps-2), which must be told apart; and against an identical
 * copy of itself (assigned to vps-3), which must not. Returns what to tell the user.
 */
async function demoExperiments(url, adminKey) {
  const call = async (method, path, body) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { 'X-Api-Key': adminKey, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${answer.message ?? ''}`);
    return answer;
  };
  const running = (await call('GET', '/api/v1/experiments')).items.filter(
    (e) => e.status === 'running' && e.name.startsWith('demo: '),
  );
  if (running.length)
    return [
      `Experiments running since an earlier demo: ${running.map((e) => `#${e.id} "${e.name}"`).join(', ')}: see the Experiments page.`,
    ];
  const active = await call('GET', '/api/v1/configs/active');
  const better = await call('POST', '/api/v1/configs', {
    basedOnId: active.id,
    values: { simEdge: DEMO_EDGE },
    note: `demo: fills ${DEMO_EDGE} cheaper (simulator only)`,
  });
  const copy = await call('POST', '/api/v1/configs', {
    basedOnId: active.id,
    values: { simEdge: 0 },
    note: `demo: the same as v${active.id}`,
  });
  const real = await call('POST', '/api/v1/experiments', {
    name: `demo: v${better.id} (fills ${DEMO_EDGE} cheaper) on vps-2 against v${active.id}`,
    configIds: [active.id, better.id],
    assign: [{ configId: better.id, tag: 'vps-2' }],
  });
  const none = await call('POST', '/api/v1/experiments', {
    name: `demo: v${copy.id} (the same as v${active.id}) on vps-3 against v${active.id}`,
    configIds: [active.id, copy.id],
    assign: [{ configId: copy.id, tag: 'vps-3' }],
  });
  return [
    `Experiments: #${real.id} compares v${active.id} (vps-1) with v${better.id}, which fills ${DEMO_EDGE} cheaper (vps-2): it should be told apart`,
    `within about 10 minutes; #${none.id} compares v${active.id} with an identical copy, v${copy.id} (vps-3): it should not be. See the Experiments page.`,
  ];
}

async function main() {
  readDotEnv();
  const port = process.env.PORT || '3000';
  const url = (process.env.POLYMAKER_URL || `http://localhost:${port}`).replace(/\/$/, '');
  const simulatorArgs = process.argv.slice(2);
  let server = null;
  let botKey = process.env.BOT_API_KEY || '';
  let adminKey = process.env.ADMIN_API_KEY || '';
  let adminKeyNote = '';

  if (await answers(url, '/health')) {
    say(`Command Center already running at ${url}; using it.`);
    if (!botKey) {
      if (!adminKey) {
        say(
          'It needs a bot key: set BOT_API_KEY (a bot key of that server), or ADMIN_API_KEY so the demo can create one,',
        );
        say(
          'in the environment or .env, then run npm run demo again. (Or stop that server and let the demo start its own.)',
        );
        return 2;
      }
      botKey = await createBotKey(url, adminKey);
      say('Created a bot key "demo simulator" with ADMIN_API_KEY (revoke it in the admin app when done).');
    }
    if (!adminKey)
      adminKeyNote = 'the admin key you already have (ADMIN_API_KEY or the one printed at first start)';
  } else {
    // Keys generated by an earlier demo on this data directory are reused, so the admin key stays the same.
    const keysFile = join(resolve(process.env.DATA_DIR || '.data'), 'demo-keys.json');
    const saved = existsSync(keysFile) ? JSON.parse(readFileSync(keysFile, 'utf8')) : {};
    if (!botKey) botKey = saved.botKey || `demo_bot_${randomBytes(16).toString('hex')}`;
    if (!adminKey) adminKey = saved.adminKey || `demo_admin_${randomBytes(16).toString('hex')}`;
    mkdirSync(dirname(keysFile), { recursive: true });
    writeFileSync(keysFile, `${JSON.stringify({ botKey, adminKey }, null, 2)}\n`, { mode: 0o600 });
    const main = join(root, 'dist/apps/api/main.js');
    // The same build as npm start (the API and the admin app it serves), so the printed admin URL answers.
    if (!buildApps(root, say).ok) {
      say('Build failed; see the output above.');
      return 1;
    }
    const dataDir = resolve(process.env.DATA_DIR || '.data');
    mkdirSync(dataDir, { recursive: true });
    const logFile = join(dataDir, 'demo-api.log');
    const log = createWriteStream(logFile, { flags: 'a' });
    say(
      `Starting the Command Center on ${url} (embedded PostgreSQL in ${dataDir}; server log: ${logFile})...`,
    );
    server = spawn(process.execPath, [main], {
      env: {
        ...process.env,
        PORT: port,
        BOT_API_KEY: botKey,
        ADMIN_API_KEY: adminKey,
        LOG_LEVEL: process.env.LOG_LEVEL || 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Own process group: Ctrl-C reaches the simulator first, which stops its runs while the server is still up.
      detached: true,
    });
    server.stdout.pipe(log);
    server.stderr.pipe(log);
    const deadline = Date.now() + 120_000;
    while (!(await answers(url, '/ready'))) {
      if (server.exitCode !== null) {
        say(`The server exited with code ${server.exitCode}; last lines of ${logFile}:`);
        say(readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n'));
        return 1;
      }
      if (Date.now() > deadline) {
        say(`The server did not become ready within 2 minutes; see ${logFile}.`);
        server.kill('SIGTERM');
        return 1;
      }
      await sleep(250);
    }
  }

  const adminApp = (await servesAdminApp(url))
    ? `${url}/`
    : `not served by ${url} (build it with npx nx build admin, then restart that server)`;
  say('');
  say('  PolyMaker Command Center demo');
  say(`  Admin app:  ${adminApp}            (API docs: ${url}/docs)`);
  say(`  Admin key:  ${adminKey || adminKeyNote}`);
  say(`  Bot key:    ${botKey}`);
  say(
    `  Bots talk to ${url}/api/bot; try pausing orders from the admin app and watch the bots stop placing orders.`,
  );
  say(
    '  Ctrl-C stops the simulated bots (their runs are stopped cleanly), then the server if the demo started it.',
  );
  say('');

  // --no-experiments is the demo's own option; the rest go to the simulator
  const withExperiments = !simulatorArgs.includes('--no-experiments');
  const passed = simulatorArgs.filter((a) => a !== '--no-experiments');
  const given = new Set(passed.filter((a) => a.startsWith('--')).map((a) => a.split('=')[0]));
  // With an admin key the demo runs a small fleet: six bots with keys of their own (kept in the data
  // directory and reused next time), tagged vps-1, vps-2 and vps-3 in turn, so the Bots page has a fleet.
  const fleet =
    adminKey && !given.has('--key') && !given.has('--keys')
      ? [
          '--keys',
          '6',
          '--tags',
          'vps-1,vps-2,vps-3',
          '--keys-file',
          join(resolve(process.env.DATA_DIR || '.data'), 'demo-fleet-keys.json'),
        ]
      : [];
  // Each run lasts 20 simulated minutes (40 s at x30), then the bot starts a new one: experiments get segments.
  const defaults = ['--bots', '6', '--speed', '30', '--duration', '30m', '--run-length', '20m'];
  const args = [...passed, ...fleet];
  for (let i = 0; i < defaults.length; i += 2)
    if (!given.has(defaults[i])) args.push(defaults[i], defaults[i + 1]);
  if (fleet.length)
    say(
      '  The simulated fleet: six bots with keys of their own ("sim bot 1" to "sim bot 6"), tagged vps-1, vps-2 and vps-3: see the Bots page.',
    );
  if (fleet.length && withExperiments) {
    try {
      for (const line of await demoExperiments(url, adminKey)) say(`  ${line}`);
    } catch (error) {
      say(`  (The demo's experiments were not started: ${error.message})`);
    }
  }
  const simulator = spawn(
    process.execPath,
    ['--import', 'tsx', join(root, 'tools/bot-simulator/src/main.ts'), ...args],
    {
      env: { ...process.env, POLYMAKER_URL: url, POLYMAKER_API_KEY: botKey, POLYMAKER_ADMIN_KEY: adminKey },
      stdio: 'inherit',
    },
  );
  // Ctrl-C goes to the simulator (same terminal group); the demo waits for it.
  const ignore = () => undefined;
  process.on('SIGINT', ignore);
  process.on('SIGTERM', () => simulator.kill('SIGTERM'));
  const code = await new Promise((done) => simulator.once('exit', (c) => done(c ?? 1)));
  if (server && server.exitCode === null) {
    say('Stopping the Command Center...');
    server.kill('SIGTERM');
    await new Promise((done) => server.once('exit', done));
    say(`Stopped. Its data stays in ${resolve(process.env.DATA_DIR || '.data')}; npm start serves it again.`);
  }
  say(`Admin key for later: ${adminKey || adminKeyNote}`);
  return code;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`demo failed: ${error.message}\n`);
    process.exit(1);
  },
);
