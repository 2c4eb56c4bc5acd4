/** Environment for Nx in scripts: no daemon left behind, no cloud, plain output. */
export const NX_ENV = {
  ...process.env,
  NX_DAEMON: 'false',
  NX_NO_CLOUD: 'true',
  NX_TUI: 'false',
  NX_SKIP_NX_CACHE: process.env.NX_SKIP_NX_CACHE ?? 'false',
};

import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The apps `npm start` builds: the API, and the admin app once it exists. */
export function appsToBuild(root) {
  return ['api', ...(existsSync(join(root, 'apps/admin/project.json')) ? ['admin'] : [])];
}
