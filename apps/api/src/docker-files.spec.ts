import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectDefaultMetrics, Registry } from 'prom-client';
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
    const { nodeFlags } = JSON.parse(readFileSync(join(root, 'apps/api/runtime-flags.json'), 'utf8')) as {
      nodeFlags: string[];
    };
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
  profiles?: string[];
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
  const compose = parse(readFileSync(join(root, 'docker/compose.yaml'), 'utf8')) as {
    services: Record<string, ComposeService>;
  };
  // the services that always run (the monitoring profile's are checked below)
  const always = Object.entries(compose.services).filter(([, service]) => !service.profiles);
  const api = compose.services['api'];
  const nginx = compose.services['nginx'];

  it('runs the API against the compose PostgreSQL once it is healthy', () => {
    expect(always.map(([name]) => name).sort()).toEqual(['api', 'nginx', 'postgres']);
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
      while (tokens[at] !== ';' && tokens[at] !== '{')
        words.push(tokens[at++].replace(/^(['"])(.*)\1$/, '$2'));
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
    expect(one(server, 'proxy_set_header', 'X-Forwarded-For').args).toEqual([
      'X-Forwarded-For',
      '$remote_addr',
    ]);
  });

  it('answers JSON 503 with Retry-After when no instance does, and lets the API refuse large bodies itself', () => {
    expect(one(server, 'error_page').args).toEqual(['502', '504', '=503', '@unavailable']);
    const fallback = one(server, 'location', '@unavailable').children;
    expect(one(fallback, 'return').args[0]).toBe('503');
    expect(JSON.parse(one(fallback, 'return').args[1])).toMatchObject({ statusCode: 503 });
    expect(one(fallback, 'add_header').args).toEqual(['Retry-After', '5', 'always']);
    const nginxLimit =
      Number(/^(\d+)m$/.exec(one(server, 'client_max_body_size').args[0])?.[1]) * 1024 * 1024;
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
    expect(
      Number(readTimeout[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[readTimeout[2] as 's' | 'm' | 'h'],
    ).toBeGreaterThan(heartbeatMs);
  });
});

describe('the monitoring profile: Prometheus and Grafana (docker/compose.yaml, prometheus.yml, grafana/)', () => {
  const compose = parse(readFileSync(join(root, 'docker/compose.yaml'), 'utf8')) as {
    services: Record<
      string,
      {
        image?: string;
        profiles?: string[];
        environment?: Record<string, string>;
        volumes?: string[];
        configs?: { source: string; target: string }[];
        command?: string[];
      }
    >;
    configs?: Record<string, { content?: string }>;
  };
  const prometheus = parse(readFileSync(join(root, 'docker/prometheus.yml'), 'utf8')) as {
    scrape_configs: {
      job_name: string;
      metrics_path?: string;
      authorization?: { type?: string; credentials_file?: string };
      dns_sd_configs: { names: string[]; type: string; port: number }[];
    }[];
  };
  const datasources = parse(
    readFileSync(join(root, 'docker/grafana/provisioning/datasources/prometheus.yml'), 'utf8'),
  ) as {
    datasources: { uid: string; type: string; url: string }[];
  };
  const providers = parse(
    readFileSync(join(root, 'docker/grafana/provisioning/dashboards/polymaker.yml'), 'utf8'),
  ) as {
    providers: { type: string; options: { path: string } }[];
  };
  const dashboard = JSON.parse(
    readFileSync(join(root, 'docker/grafana/dashboards/polymaker.json'), 'utf8'),
  ) as {
    uid: string;
    panels: {
      title: string;
      datasource?: { uid?: string };
      targets?: { expr?: string; datasource?: { uid?: string } }[];
    }[];
  };

  it('adds Prometheus and Grafana only under the profile, and hands the API its own METRICS_KEY', () => {
    const monitoring = Object.entries(compose.services).filter(([, service]) =>
      service.profiles?.includes('monitoring'),
    );
    expect(monitoring.map(([name]) => name).sort()).toEqual(['grafana', 'prometheus']);
    expect(compose.services['api'].environment?.['METRICS_KEY']).toBe('${METRICS_KEY:-}');
    expect(compose.services['api'].environment?.['ADMIN_API_KEY']).not.toContain('METRICS_KEY');
    // images pinned to a version, never :latest
    for (const [, service] of monitoring) expect(service.image).toMatch(/:v?\d+\.\d+\.\d+$/);
  });

  it("has Prometheus scrape every api replica's :3000/metrics with the metrics key as a bearer token from a file", () => {
    const service = compose.services['prometheus'];
    expect(service.volumes).toContain('./prometheus.yml:/etc/prometheus/prometheus.yml:ro');
    expect(service.command).toContain('--config.file=/etc/prometheus/prometheus.yml');
    const job = prometheus.scrape_configs.find((c) => c.job_name === 'polymaker');
    expect(job?.metrics_path).toBe('/metrics');
    // every replica of the api service, found in Docker's DNS, on the port the image serves
    expect(job?.dns_sd_configs).toEqual([expect.objectContaining({ names: ['api'], type: 'A', port: 3000 })]);
    expect(job?.authorization?.type).toBe('Bearer');
    const mounted = service.configs?.find((c) => c.target === job?.authorization?.credentials_file);
    expect(mounted).toBeDefined();
    expect(compose.configs?.[mounted?.source ?? '']?.content).toBe('${METRICS_KEY:-}');
  });

  it('provisions Grafana with that Prometheus and the committed dashboard', () => {
    const service = compose.services['grafana'];
    expect(service.volumes).toEqual(
      expect.arrayContaining([
        './grafana/provisioning:/etc/grafana/provisioning:ro',
        './grafana/dashboards:/var/lib/grafana/dashboards:ro',
      ]),
    );
    expect(datasources.datasources).toEqual([
      expect.objectContaining({ type: 'prometheus', url: 'http://prometheus:9090' }),
    ]);
    expect(providers.providers).toEqual([
      expect.objectContaining({ type: 'file', options: { path: '/var/lib/grafana/dashboards' } }),
    ]);
    const uid = datasources.datasources[0].uid;
    expect(dashboard.uid).toBe('polymaker');
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(10);
    for (const panel of dashboard.panels) {
      expect(panel.datasource?.uid).toBe(uid);
      expect(panel.targets?.length).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) expect(target.expr).toMatch(/\w/);
    }
  });

  it('queries only metrics the API exports, and shows every figure it exports', async () => {
    // The API's own metric names, read from its code, and prom-client's default metrics (a real registry).
    const source = readFileSync(join(root, 'libs/api/observability/src/api-metrics.ts'), 'utf8');
    const own = new Set([...source.matchAll(/'((?:http|polymaker)_[a-z0-9_]+)'/g)].map((m) => m[1]));
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const defaults = new Set((await registry.getMetricsAsJSON()).map((m) => m.name));
    registry.clear();
    const queried = new Set(
      dashboard.panels
        .flatMap((panel) => panel.targets ?? [])
        .flatMap((target) =>
          [...(target.expr ?? '').matchAll(/\b((?:http|polymaker|nodejs|process)_[a-z0-9_]+)\b/g)].map(
            (m) => m[1],
          ),
        )
        .map((name) =>
          name.replace(/_(bucket|count|sum)$/, (suffix) =>
            own.has(name.slice(0, -suffix.length)) ? '' : suffix,
          ),
        ),
    );
    for (const name of queried)
      expect({ name, exported: own.has(name) || defaults.has(name) }).toEqual({ name, exported: true });
    expect(own.size).toBeGreaterThanOrEqual(15);
    for (const name of own)
      expect({ name, onTheDashboard: queried.has(name) }).toEqual({ name, onTheDashboard: true });
    for (const name of ['nodejs_eventloop_lag_p99_seconds', 'process_resident_memory_bytes'])
      expect(queried).toContain(name);
  });
});
