// Used by the bench: is dist/apps/api/main.js older than the API's sources?
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newestMtime(dir) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (/\.(ts|json|js)$/.test(entry.name) && !/\.spec\.ts$/.test(entry.name))
      newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** True when the API build is missing or older than a source file under apps/api or libs/api. */
export function apiBuildIsStale(root) {
  const main = join(root, 'dist/apps/api/main.js');
  if (!existsSync(main)) return true;
  const built = statSync(main).mtimeMs;
  return Math.max(newestMtime(join(root, 'apps/api')), newestMtime(join(root, 'libs/api'))) > built;
}
