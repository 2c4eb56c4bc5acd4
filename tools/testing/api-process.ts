import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

export const API_MAIN = resolve(__dirname, '../../dist/apps/api/main.js');
/** The Node flags of every launch of the API (npm start and the Docker image use the same file). */
export const API_NODE_FLAGS = (
  JSON.parse(readFileSync(resolve(__dirname, '../../apps/api/runtime-flags.json'), 'utf8')) as {
    nodeFlags: string[];
  }
).nodeFlags;
export const TEST_ADMIN_KEY = 'test-admin-key-0123456789abcdef';
export const TEST_BOT_KEY = 'test-bot-key-0123456789abcdef';

export interface ApiProcess {
  url: string;
  port: number;
  adminKey: string;
  botKey: string;
  /** Everything the process printed so far (JSON log lines and the banner). */
  output(): string;
  /** SIGTERM (graceful) or SIGKILL; resolves with the exit code once the process is gone. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  process: ChildProcess;
}

export interface ApiProcessOptions {
  /** null: no DATABASE_URL, so the API starts its own embedded PostgreSQL (give it a DATA_DIR in env). */
  databaseUrl: string | null;
  port?: number;
  env?: Record<string, string>;
  /** Node flags before the entry point (`--cpu-prof`, say: those NODE_OPTIONS refuses). */
  nodeArgs?: string[];
  /** How long to wait for /ready (30 s; instances started together on a fresh database migrate in turn). */
  readyTimeoutMs?: number;
  /** Another build's entry point (an older checkout's dist/apps/api/main.js, for an A/B bench). */
  main?: string;
}

/** Starts the built API (`nx build api` first) as a real process on a free port and waits until ready. */
export async function startApiProcess(options: ApiProcessOptions): Promise<ApiProcess> {
  const main = options.main ?? API_MAIN;
  if (!existsSync(main)) throw new Error(`${main} is missing: run "npx nx build api" first`);
  const port = options.port ?? (await freePort());
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: options.databaseUrl ?? '',
    ADMIN_API_KEY: TEST_ADMIN_KEY,
    BOT_API_KEY: TEST_BOT_KEY,
    LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'warn',
    ...options.env,
  };
  if (options.databaseUrl === null) delete env['DATABASE_URL'];
  const child = spawn(process.execPath, [...API_NODE_FLAGS, ...(options.nodeArgs ?? []), main], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const url = `http://127.0.0.1:${port}`;
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`API exited with ${child.exitCode} during start:\n${output}`);
    try {
      const response = await fetch(`${url}/ready`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`API did not become ready within ${readyTimeoutMs / 1000} s:\n${output}`);
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  return {
    url,
    port,
    adminKey: env['ADMIN_API_KEY'],
    botKey: env['BOT_API_KEY'],
    output: () => output,
    process: child,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

export function freePort(): Promise<number> {
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
