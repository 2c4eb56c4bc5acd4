import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectDefaultMetrics, Registry } from 'prom-client';
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
  interface Service {
    image?: string;
    profiles?: string[];
    environment?: Record<string, string>;
    depends_on?: Record<string, unknown> | string[];
    build?: { dockerfile: string };
    volumes?: string[];
    configs?: { source: string; target: string }[];
    command?: string[];
  }
  const compose = parse(readFileSync(join(root, 'docker/compose.yaml'), 'utf8')) as {
    services: Record<string, Service>;
    configs?: Record<string, { content?: string }>;
    volumes?: Record<string, unknown>;
  };
  const always = Object.entries(compose.services).filter(([, service]) => !service.profiles);

  it('runs the API against the compose PostgreSQL once it is healthy', () => {
    expect(always.map(([name]) => name).sort()).toEqual(['api', 'postgres']);
    expect(compose.services['api'].environment?.['DATABASE_URL']).toMatch(/@postgres:5432\/polymaker$/);
    expect(compose.services['api'].depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(compose.services['api'].build?.dockerfile).toBe('docker/Dockerfile');
  });
});

describe('the monitoring profile: Prometheus and Grafana (docker/compose.yaml, prometheus.yml, grafana/)', () => {
  const compose = parse(readFileSync(join(root, 'docker/compose.yaml'), 'utf8')) as {
    services: Record<string, { image?: string; profiles?: string[]; environment?: Record<string, string>; volumes?: string[]; configs?: { source: string; target: string }[]; command?: string[] }>;
    configs?: Record<string, { content?: string }>;
  };
  const prometheus = parse(readFileSync(join(root, 'docker/prometheus.yml'), 'utf8')) as {
    scrape_configs: { job_name: string; metrics_path?: string; authorization?: { type?: string; credentials_file?: string }; static_configs: { targets: string[] }[] }[];
  };
  const datasources = parse(readFileSync(join(root, 'docker/grafana/provisioning/datasources/prometheus.yml'), 'utf8')) as {
    datasources: { uid: string; type: string; url: string }[];
  };
  const providers = parse(readFileSync(join(root, 'docker/grafana/provisioning/dashboards/polymaker.yml'), 'utf8')) as {
    providers: { type: string; options: { path: string } }[];
  };
  const dashboard = JSON.parse(readFileSync(join(root, 'docker/grafana/dashboards/polymaker.json'), 'utf8')) as {
    uid: string;
    panels: { title: string; datasource?: { uid?: string }; targets?: { expr?: string; datasource?: { uid?: string } }[] }[];
  };

  it('adds Prometheus and Grafana only under the profile, and hands the API its own METRICS_KEY', () => {
    const monitoring = Object.entries(compose.services).filter(([, service]) => service.profiles?.includes('monitoring'));
    expect(monitoring.map(([name]) => name).sort()).toEqual(['grafana', 'prometheus']);
    expect(compose.services['api'].environment?.['METRICS_KEY']).toBe('${METRICS_KEY:-}');
    expect(compose.services['api'].environment?.['ADMIN_API_KEY']).not.toContain('METRICS_KEY');
    // images pinned to a version, never :latest
    for (const [, service] of monitoring) expect(service.image).toMatch(/:v?\d+\.\d+\.\d+$/);
  });

  it('has Prometheus scrape api:3000/metrics with the metrics key as a bearer token from a file', () => {
    const service = compose.services['prometheus'];
    expect(service.volumes).toContain('./prometheus.yml:/etc/prometheus/prometheus.yml:ro');
    expect(service.command).toContain('--config.file=/etc/prometheus/prometheus.yml');
    const job = prometheus.scrape_configs.find((c) => c.job_name === 'polymaker');
    expect(job?.metrics_path).toBe('/metrics');
    expect(job?.static_configs.flatMap((c) => c.targets)).toEqual(['api:3000']);
    expect(job?.authorization?.type).toBe('Bearer');
    const mounted = service.configs?.find((c) => c.target === job?.authorization?.credentials_file);
    expect(mounted).toBeDefined();
    expect(compose.configs?.[mounted?.source ?? '']?.content).toBe('${METRICS_KEY:-}');
  });

  it('provisions Grafana with that Prometheus and the committed dashboard', () => {
    const service = compose.services['grafana'];
    expect(service.volumes).toEqual(
      expect.arrayContaining(['./grafana/provisioning:/etc/grafana/provisioning:ro', './grafana/dashboards:/var/lib/grafana/dashboards:ro']),
    );
    expect(datasources.datasources).toEqual([expect.objectContaining({ type: 'prometheus', url: 'http://prometheus:9090' })]);
    expect(providers.providers).toEqual([expect.objectContaining({ type: 'file', options: { path: '/var/lib/grafana/dashboards' } })]);
    const uid = datasources.datasources[0].uid;
    expect(dashboard.uid).toBe('polymaker');
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(10);
    for (const panel of dashboard.panels) {
      expect(panel.datasource?.uid).toBe(uid);
      expect(panel.targets?.length).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) expect(target.expr).toMatch(/\w/);
    }
  });

  it("queries only metrics the API exports, and shows every figure it exports", async () => {
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
        .flatMap((target) => [...(target.expr ?? '').matchAll(/\b((?:http|polymaker|nodejs|process)_[a-z0-9_]+)\b/g)].map((m) => m[1]))
        .map((name) => name.replace(/_(bucket|count|sum)$/, (suffix) => (own.has(name.slice(0, -suffix.length)) ? '' : suffix))),
    );
    for (const name of queried) expect({ name, exported: own.has(name) || defaults.has(name) }).toEqual({ name, exported: true });
    expect(own.size).toBeGreaterThanOrEqual(15);
    for (const name of own) expect({ name, onTheDashboard: queried.has(name) }).toEqual({ name, onTheDashboard: true });
    for (const name of ['nodejs_eventloop_lag_p99_seconds', 'process_resident_memory_bytes']) expect(queried).toContain(name);
  });
});
