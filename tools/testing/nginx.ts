import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './api-process';

export const NGINX = process.env['NGINX_PATH'] ?? '/usr/sbin/nginx';
/** The load balancer's committed config (docker/compose.yaml's nginx service). */
export const NGINX_CONF = resolve(__dirname, '../../docker/nginx.conf');

/** Debian's nginx; installed with apt when missing and running as root, else a clear failure. */
export function ensureNginx(): void {
  if (existsSync(NGINX)) return;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root) {
    throw new Error(
      `${NGINX} is missing. Install Debian's nginx (sudo apt-get install -y nginx) or set NGINX_PATH.`,
    );
  }
  console.log('Installing nginx with apt-get (one time)...');
  try {
    execFileSync('apt-get', ['update'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', 'nginx'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } catch (error) {
    throw new Error(
      `apt-get could not install nginx (${(error as Error).message}); install it by hand or set NGINX_PATH.`,
    );
  }
  if (!existsSync(NGINX)) throw new Error(`apt-get installed nginx but ${NGINX} is still missing`);
}

/**
 * docker/nginx.conf made to run on loopback, everything else as committed: listen on `port`, the
 * upstream's `server api:3000 …` line becomes one line per instance port with the same parameters
 * (less `resolve`, which is for Docker's DNS, with its `resolver`), the logs and temporary files go to
 * `dir`, and `user` goes (Debian has no `nginx` user; as root the workers then run as nobody).
 */
export function loopbackNginxConfig(
  committed: string,
  options: { port: number; upstreams: number[]; dir: string },
): string {
  const replaceOnce = (
    text: string,
    pattern: RegExp,
    replacement: (match: RegExpExecArray) => string,
  ): string => {
    const matches = [...text.matchAll(new RegExp(pattern.source, `${pattern.flags.replace('g', '')}g`))];
    if (matches.length !== 1)
      throw new Error(`docker/nginx.conf: expected one match of ${pattern}, found ${matches.length}`);
    return text.replace(pattern, () => replacement(matches[0] as RegExpExecArray));
  };
  let text = committed;
  text = replaceOnce(text, /^[ \t]*user\s+[^;]+;\n/m, () => '');
  text = replaceOnce(text, /^([ \t]*)resolver\s+[^;]+;\n/m, () => '');
  text = replaceOnce(
    text,
    /^([ \t]*)error_log\s+\S+(.*);$/m,
    (m) => `${m[1]}error_log ${join(options.dir, 'error.log')}${m[2]};`,
  );
  text = replaceOnce(
    text,
    /^([ \t]*)access_log\s+\S+(.*);$/m,
    (m) => `${m[1]}access_log ${join(options.dir, 'access.log')}${m[2]};`,
  );
  text = replaceOnce(text, /^([ \t]*)listen\s+\d+;$/m, (m) => `${m[1]}listen 127.0.0.1:${options.port};`);
  text = replaceOnce(text, /^([ \t]*)server\s+api:3000\s+(.*);$/m, (m) => {
    const params = m[2]
      .split(/\s+/)
      .filter((param) => param !== 'resolve')
      .join(' ');
    return options.upstreams.map((port) => `${m[1]}server 127.0.0.1:${port} ${params};`).join('\n');
  });
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((kind) => `  ${kind}_temp_path ${join(options.dir, kind)};`)
    .join('\n');
  text = replaceOnce(text, /^http \{$/m, () => `http {\n${temp}`);
  return text;
}

export interface Nginx {
  url: string;
  port: number;
  /** The access log so far: one line per request with the instance(s) it went to (`upstream=`). */
  accessLog(): string;
  errorLog(): string;
  stop(): Promise<void>;
  process: ChildProcess;
}

/** Starts nginx in the foreground with docker/nginx.conf in front of the given loopback ports, ready to proxy. */
export async function startNginx(upstreams: number[]): Promise<Nginx> {
  ensureNginx();
  const dir = mkdtempSync(join(tmpdir(), 'polymaker-nginx-'));
  chmodSync(dir, 0o755); // started as root, the workers run as nobody and write their temporary files here
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, loopbackNginxConfig(readFileSync(NGINX_CONF, 'utf8'), { port, upstreams, dir }));
  const errorLog = join(dir, 'error.log');
  const args = ['-p', dir, '-c', conf, '-e', errorLog, '-g', `daemon off; pid ${join(dir, 'nginx.pid')};`];
  const child = spawn(NGINX, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const read = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '');
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`nginx exited with ${child.exitCode} during start:\n${output}\n${read(errorLog)}`);
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`nginx did not proxy /health within 10 s:\n${output}\n${read(errorLog)}`);
    }
    await new Promise((done) => setTimeout(done, 50));
  }
  return {
    url,
    port,
    accessLog: () => read(join(dir, 'access.log')),
    errorLog: () => read(errorLog),
    process: child,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM'); // fast shutdown: the master stops its workers
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
