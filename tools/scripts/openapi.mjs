#!/usr/bin/env node
// npm run openapi: writes the OpenAPI spec (sorted) to openapi/openapi.json, with no database.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NX_ENV } from './nx-env.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const run = (command, args) => {
  const result = spawnSync(command, args, { cwd: root, env: NX_ENV, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};
run('npx', ['nx', 'build', 'api', '--output-style=static']);
run(process.execPath, [
  join(root, 'dist/apps/api/main.js'),
  '--write-openapi',
  join(root, 'openapi/openapi.json'),
]);
console.log('wrote openapi/openapi.json');
