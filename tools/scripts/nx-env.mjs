/** Environment for Nx in scripts: no daemon left behind, no cloud, plain output. */
export const NX_ENV = {
  ...process.env,
  NX_DAEMON: 'false',
  NX_NO_CLOUD: 'true',
  NX_TUI: 'false',
  NX_SKIP_NX_CACHE: process.env.NX_SKIP_NX_CACHE ?? 'false',
};

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The apps `npm start` builds: the API, and the admin app once it exists. */
export function appsToBuild(root) {
  return ['api', ...(existsSync(join(root, 'apps/admin/project.json')) ? ['admin'] : [])];
}

/**
 * Builds what production serves (the API and the admin app), the one build `npm start` and `npm run demo`
 * share; Nx's cache makes it quick after the first time. Nx's own output is kept back unless the build
 * fails (errors go to stderr as they come). Returns { ok, status, projects }.
 */
export function buildApps(root, say = (line) => console.log(line)) {
  const projects = appsToBuild(root);
  say(`Building ${projects.join(' and ')} (cached after the first start)...`);
  const build = spawnSync(
    'npx',
    ['nx', 'run-many', '-t', 'build', '-p', ...projects, '--output-style=static'],
    {
      cwd: root,
      env: NX_ENV,
      stdio: ['ignore', 'pipe', 'inherit'],
      encoding: 'utf8',
      shell: process.platform === 'win32',
    },
  );
  if (build.status !== 0) process.stdout.write(build.stdout ?? '');
  return { ok: build.status === 0, status: build.status ?? 1, projects };
}
