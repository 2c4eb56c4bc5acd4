#!/usr/bin/env node
// npm start: build what production needs (Nx reuses its cache on the next start), then run the API,
// which applies migrations, starts the embedded PostgreSQL when DATABASE_URL is unset, and serves the admin app.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appsToBuild, NX_ENV } from './nx-env.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const projects = appsToBuild(root);
console.log(`Building ${projects.join(' and ')} (cached after the first start)...`);
const build = spawnSync('npx', ['nx', 'run-many', '-t', 'build', '-p', ...projects, '--output-style=static'], {
  cwd: root,
  env: NX_ENV,
  stdio: ['ignore', 'pipe', 'inherit'],
  encoding: 'utf8',
});
if (build.status !== 0) {
  process.stdout.write(build.stdout ?? '');
  console.error('Build failed; see the output above.');
  process.exit(build.status ?? 1);
}

const server = spawn(process.execPath, ['--enable-source-maps', join(root, 'dist/apps/api/main.js')], {
  cwd: root,
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.kill(signal));
}
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
