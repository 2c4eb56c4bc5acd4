import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every POST route must honour Idempotency-Key, so every POST handler is declared with
 * @IdempotentPost (which adds the interceptor) and never with Nest's bare @Post.
 */
const root = join(__dirname, '../../..');

function controllers(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : controllers(path);
    return entry.name.endsWith('.controller.ts') ? [path] : [];
  });
}

describe('POST routes', () => {
  const files = [...controllers(join(root, 'libs/api')), ...controllers(join(root, 'apps/api/src'))];

  it('finds the controllers', () => {
    expect(files.length).toBeGreaterThan(8);
  });

  it.each(files.map((file) => [file.slice(root.length + 1), file]))(
    '%s declares POSTs with @IdempotentPost',
    (_name, file) => {
      const source = readFileSync(file, 'utf8');
      expect(source).not.toMatch(/^\s*@Post\(/m);
    },
  );

  it('covers the bot writes', () => {
    const gateway = readFileSync(join(root, 'libs/api/bot-gateway/src/bot-gateway.controller.ts'), 'utf8');
    expect(gateway.match(/@IdempotentPost\(/g)).toHaveLength(7);
  });
});
