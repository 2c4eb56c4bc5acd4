import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/**
 * No Docker engine runs on these machines, so the image cannot be built here. This lints what can
 * be checked without one: the image runs as non-root, its health check and command point at what
 * the API really serves, the compose file wires two API replicas to their PostgreSQL behind nginx, and
 * nginx's config balances over them as apps/api-e2e/src/ops/two-instances.spec.ts proves it does.
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

interface ComposeService {
  image?: string;
  environment?: Record<string, string>;
  depends_on?: Record<string, unknown>;
  build?: { dockerfile: string };
  deploy?: { replicas?: number };
  ports?: string[];
  expose?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
}

describe('docker/compose.yaml', () => {
  const compose = parse(readFileSync(join(root, 'docker/compose.yaml'), 'utf8')) as { services: Record<string, ComposeService> };
  const api = compose.services['api'];
  const nginx = compose.services['nginx'];

  it('runs the API against the compose PostgreSQL once it is healthy', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'nginx', 'postgres']);
    expect(api.environment?.['DATABASE_URL']).toMatch(/@postgres:5432\/polymaker$/);
    expect(api.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(api.build?.dockerfile).toBe('docker/Dockerfile');
  });

  it('runs two API replicas reached only through nginx, which trusts one proxy hop', () => {
    expect(api.deploy?.replicas).toBeGreaterThanOrEqual(2);
    expect(api.ports).toBeUndefined(); // a published port would let clients bypass nginx and forge X-Forwarded-For
    expect(api.expose).toEqual(['3000']);
    expect(api.environment?.['TRUST_PROXY']).toBe('1');
  });

  it('puts nginx with docker/nginx.conf in front, once the API is healthy, with a health check through it', () => {
    // the upstream's `resolve` parameter needs nginx 1.27.3 or later
    const [major, minor] = (/^nginx:(\d+)\.(\d+)/.exec(nginx.image ?? '') ?? []).slice(1).map(Number);
    expect(major * 1000 + minor).toBeGreaterThanOrEqual(1027);
    expect(nginx.volumes).toContain('./nginx.conf:/etc/nginx/nginx.conf:ro');
    expect(nginx.depends_on).toEqual({ api: { condition: 'service_healthy' } });
    expect(nginx.ports).toEqual(['3000:80']);
    expect(nginx.healthcheck?.test.join(' ')).toMatch(/http:\/\/127\.0\.0\.1\/ready$/);
  });
});

/** nginx.conf as a tree of directives: `name args;` or `name args { children }`. */
interface Directive {
  name: string;
  args: string[];
  children: Directive[];
}

function parseNginx(text: string): Directive[] {
  const tokens = text.replace(/#[^\n]*/g, '').match(/'[^']*'|"[^"]*"|[{};]|[^\s{};]+/g) ?? [];
  let at = 0;
  const block = (): Directive[] => {
    const out: Directive[] = [];
    while (at < tokens.length && tokens[at] !== '}') {
      const words: string[] = [];
      while (tokens[at] !== ';' && tokens[at] !== '{') words.push(tokens[at++].replace(/^(['"])(.*)\1$/, '$2'));
      const opens = tokens[at++] === '{';
      const children = opens ? block() : [];
      if (opens) at += 1; // the closing brace
      out.push({ name: words[0], args: words.slice(1), children });
    }
    return out;
  };
  return block();
}

describe('docker/nginx.conf', () => {
  const conf = parseNginx(readFileSync(join(root, 'docker/nginx.conf'), 'utf8'));
  const find = (list: Directive[], name: string, first?: string) =>
    list.filter((d) => d.name === name && (first === undefined || d.args[0] === first));
  const one = (list: Directive[], name: string, first?: string) => {
    const found = find(list, name, first);
    expect(found).toHaveLength(1);
    return found[0];
  };
  const http = one(conf, 'http').children;
  const upstream = one(http, 'upstream');
  const server = one(http, 'server').children;
  const locations = find(server, 'location');

  it('balances over the compose api service on the port the image serves', () => {
    const servers = find(upstream.children, 'server');
    expect(servers.map((d) => d.args[0])).toEqual(['api:3000']); // the service name, and the Dockerfile's PORT and EXPOSE
    expect(dockerfile).toMatch(/PORT=3000/);
    expect(servers[0].args).toContain('resolve'); // follows the replicas in Docker's DNS
    expect(find(http, 'resolver')[0]?.args[0]).toBe('127.0.0.11');
    expect(one(server, 'listen').args).toEqual(['80']);
    for (const location of locations.filter((l) => l.args[0] !== '@unavailable')) {
      expect(one(location.children, 'proxy_pass').args).toEqual([`http://${upstream.args[0]}`]);
    }
  });

  it('routes around a dead instance (passive health, next upstream) and keeps upstream connections alive', () => {
    const params = find(upstream.children, 'server')[0].args;
    expect(params.some((p) => /^max_fails=\d+$/.test(p))).toBe(true);
    expect(params.some((p) => /^fail_timeout=\d+s$/.test(p))).toBe(true);
    expect(one(server, 'proxy_next_upstream').args).toEqual(['error', 'timeout', 'http_502', 'http_503']);
    expect(one(upstream.children, 'keepalive').args.length).toBe(1);
    expect(one(server, 'proxy_http_version').args).toEqual(['1.1']);
    expect(one(server, 'proxy_set_header', 'Connection').args).toEqual(['Connection', '']);
    expect(one(server, 'proxy_set_header', 'X-Forwarded-For').args).toEqual(['X-Forwarded-For', '$remote_addr']);
  });

  it('answers JSON 503 with Retry-After when no instance does, and lets the API refuse large bodies itself', () => {
    expect(one(server, 'error_page').args).toEqual(['502', '504', '=503', '@unavailable']);
    const fallback = one(server, 'location', '@unavailable').children;
    expect(one(fallback, 'return').args[0]).toBe('503');
    expect(JSON.parse(one(fallback, 'return').args[1])).toMatchObject({ statusCode: 503 });
    expect(one(fallback, 'add_header').args).toEqual(['Retry-After', '5', 'always']);
    const nginxLimit = Number(/^(\d+)m$/.exec(one(server, 'client_max_body_size').args[0])?.[1]) * 1024 * 1024;
    expect(nginxLimit).toBeGreaterThan(5 * 1024 * 1024); // BODY_LIMIT_BYTES' default
  });

  it('passes the live stream through unbuffered, longer than its heartbeat', () => {
    // the route of libs/api/live (the global prefix "api" + its controller's path)
    const live = readFileSync(join(root, 'libs/api/live/src/live.controller.ts'), 'utf8');
    expect(live).toContain("@Controller('v1/events')");
    const heartbeatMs = Number(/HEARTBEAT_MS = ([\d_]+)/.exec(live)?.[1].replace(/_/g, ''));
    const events = one(server, 'location', '=').children;
    expect(one(server, 'location', '=').args).toEqual(['=', '/api/v1/events']);
    expect(one(events, 'proxy_buffering').args).toEqual(['off']);
    const readTimeout = /^(\d+)(s|m|h)$/.exec(one(events, 'proxy_read_timeout').args[0]) as RegExpExecArray;
    expect(Number(readTimeout[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[readTimeout[2] as 's' | 'm' | 'h']).toBeGreaterThan(heartbeatMs);
  });
});
