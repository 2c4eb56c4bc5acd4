// Enforces the budget on what the browser really downloads first: the initial JavaScript of the
// production build (scripts and modulepreloads referenced by index.html), gzip-compressed, under 350 kB.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const LIMIT = 350 * 1024;
const dir = join(process.cwd(), 'dist/apps/admin/browser');
const html = readFileSync(join(dir, 'index.html'), 'utf8');
const files = [...new Set([...html.matchAll(/(?:src|href)="([^"]+\.js)"/g)].map((m) => m[1]))];
let total = 0;
for (const file of files) {
  const size = gzipSync(readFileSync(join(dir, file)), { level: 9 }).length;
  total += size;
  console.log(`${file.padEnd(28)} ${(size / 1024).toFixed(1).padStart(8)} kB gzip`);
}
console.log(`initial JavaScript: ${(total / 1024).toFixed(1)} kB gzip (limit ${LIMIT / 1024} kB)`);
if (!files.length) {
  console.error('No script found in index.html: is this the production build?');
  process.exit(1);
}
if (total > LIMIT) {
  console.error('Over budget.');
  process.exit(1);
}
