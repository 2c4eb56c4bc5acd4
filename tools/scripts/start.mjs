#!/usr/bin/env node
// npm start: build what production needs (Nx reuses its cache on the next start), then run the API,
// which applies migrations, starts the embedded PostgreSQL when DATABASE_URL is unset, and serves the admin app.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApps } from './nx-env.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const build = buildApps(root);
if (!build.ok) {
  console.error('Build failed; see the output above.');
  process.exit(build.status);
}

// No --enable-source-maps: mapping every stack trace costs on the request path (errors answered 4xx build
// stacks too). For a debugging session, NODE_OPTIONS=--enable-source-maps npm start.
const { nodeFlags } = JSON.parse(readFileSync(join(root, 'apps/api/runtime-flags.json'), 'utf8'));
const server = spawn(process.execPath, [...nodeFlags, join(root, 'dist/apps/api/main.js')], {
  cwd: root,
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.kill(signal));
}
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
