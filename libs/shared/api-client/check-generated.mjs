// Fails when src/generated differs from what ng-openapi-gen makes of openapi/openapi.json (CI staleness check).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const current = join(here, 'src/generated');
const scratch = mkdtempSync(join(tmpdir(), 'api-client-'));
const config = JSON.parse(readFileSync(join(here, 'ng-openapi-gen.json'), 'utf8'));
config.input = resolve(here, config.input);
config.output = join(scratch, 'out');
delete config.$schema;
writeFileSync(join(scratch, 'config.json'), JSON.stringify(config));
const bin = resolve(here, '../../../node_modules/ng-openapi-gen/lib/index.js');
execFileSync(process.execPath, [bin, '--config', join(scratch, 'config.json')], { stdio: 'inherit' });

const list = (root) =>
  readdirSync(root, { recursive: true })
    .map(String)
    .filter((file) => statSync(join(root, file)).isFile())
    .sort();
const fresh = list(config.output);
const committed = list(current);
const problems = [];
for (const file of new Set([...fresh, ...committed])) {
  const a = fresh.includes(file) ? readFileSync(join(config.output, file), 'utf8') : null;
  const b = committed.includes(file) ? readFileSync(join(current, file), 'utf8') : null;
  if (a !== b)
    problems.push(a === null ? `extra: ${file}` : b === null ? `missing: ${file}` : `differs: ${file}`);
}
rmSync(scratch, { recursive: true, force: true });
if (problems.length) {
  console.error(
    `The generated API client is stale (${relative(process.cwd(), current)}):\n  ${problems.join('\n  ')}\nRun: npm run api-client`,
  );
  process.exit(1);
}
console.log('The generated API client matches openapi/openapi.json.');
