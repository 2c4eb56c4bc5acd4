import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/**
 * No Docker engine runs on these machines, so the image cannot be built here. This lints what can
 * be checked without one: the image runs as non-root, its health check and command point at what
 * the API really serves, and the compose file wires the API to its PostgreSQL.
 */
const root = join(__dirname, '../../..');
const dockerfile = readFileSync(join(root, 'docker/Dockerfile'), 'utf8');
const instructions = dockerfile
  .split('\n')
  .filter((line) => /^[A-Z]+\s/.test(line))
  .map((line) => line.split(/\s+/)[0]);

describe('docker/Dockerfile', () => {
  it('is multi-stage and runs the built API as a non-root user', () => {
    expect(instructions.filter((i) => i === 'FROM')).toHaveLength(2);
    const lastUser = instructions.lastIndexOf('USER');
    expect(lastUser).toBeGreaterThan(instructions.lastIndexOf('FROM'));
    expect(lastUser).toBeLessThan(instructions.lastIndexOf('CMD'));
    expect(dockerfile).toMatch(/USER polymaker/);
    expect(dockerfile).toContain('dist/apps/api/main.js');
  });

  it('starts the API with the Node flags every other launch uses (apps/api/runtime-flags.json)', () => {
    const { nodeFlags } = JSON.parse(readFileSync(join(root, 'apps/api/runtime-flags.json'), 'utf8')) as { nodeFlags: string[] };
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile);
    expect(cmd).not.toBeNull();
    expect(JSON.parse((cmd as RegExpExecArray)[1])).toEqual(['node', ...nodeFlags, 'dist/apps/api/main.js']);
  });

  it('checks health on /ready and exposes the default port', () => {
    expect(dockerfile).toMatch(/HEALTHCHECK[\s\S]*\/ready/);
    expect(dockerfile).toMatch(/EXPOSE 3000/);
  });
});

describe('docker/compose.yaml', () => {
  const compose = parse(readFileSync(join(root, 'docker/compose.yaml'), 'utf8')) as {
    services: Record<string, { environment?: Record<string, string>; depends_on?: Record<string, unknown>; build?: { dockerfile: string } }>;
  };

  it('runs the API against the compose PostgreSQL once it is healthy', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'postgres']);
    expect(compose.services['api'].environment?.['DATABASE_URL']).toMatch(/@postgres:5432\/polymaker$/);
    expect(compose.services['api'].depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(compose.services['api'].build?.dockerfile).toBe('docker/Dockerfile');
  });
});
