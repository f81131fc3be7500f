import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { parseAllDocuments } from 'yaml';
import { Env, ENV_VARIABLES, loadEnv } from '#libs/common';
import { HealthController, UNPREFIXED_ROUTES } from '#libs/platform';

/**
 * deploy/ as kustomize renders it (`kubectl kustomize`, the kustomize built into kubectl): every object valid
 * against the Kubernetes schemas (kubernetes-models), and true to the code — every variable a service reads
 * set or defaulted, every probe on a route the service serves, ports as the services listen.
 */
type Manifest = { apiVersion: string; kind: string; metadata: { name: string }; [field: string]: unknown };
type Container = {
  name: string;
  command?: string[];
  env?: Array<{ name: string; value: string }>;
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  ports: Array<{ name: string; containerPort: number }>;
  startupProbe: { httpGet: { path: string; port: string } };
  livenessProbe: { httpGet: { path: string; port: string } };
  readinessProbe: { httpGet: { path: string; port: string } };
  resources: { requests: { cpu: string; memory: string }; limits: { memory: string } };
};
type PodSpec = { containers: Container[]; topologySpreadConstraints?: Array<{ topologyKey: string }> };

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
};
const SERVICES = { intake: 'INTAKE_PORT', rectification: 'RECTIFICATION_PORT', statistics: 'STATISTICS_PORT' } as const;
/** Variables a service reads outside `Env`, each with its default in the code that reads it. */
const READ_BESIDE_ENV = new Set(['CONSOLE_DIR', 'PAD_ASSETS_DIR', 'EMBEDDED_POSTGRES_RUNTIME_DIR']);
/** Variables of the image itself (Dockerfile): which service runs, and node's flags. */
const IMAGE_VARIABLES = new Set(['SERVICE', 'NODE_OPTIONS']);

function render(): Manifest[] {
  const text = execFileSync('kubectl', ['kustomize', 'deploy/overlays/district'], { encoding: 'utf8' });
  return parseAllDocuments(text).map((document) => document.toJS() as Manifest);
}

const manifests = render();
const named = <T>(kind: string, name: string): T => {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in the rendered manifests`);
  return found as T;
};
const podSpec = (kind: 'Deployment' | 'Job', name: string): PodSpec =>
  named<{ spec: { template: { spec: PodSpec } } }>(kind, name).spec.template.spec;

/** What a container sees: the referenced ConfigMap's data and Secret's stringData, then its own env. */
function environmentOf(container: Container): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef)
      Object.assign(environment, named<{ data: Record<string, string> }>('ConfigMap', source.configMapRef.name).data);
    if (source.secretRef)
      Object.assign(environment, named<{ stringData: Record<string, string> }>('Secret', source.secretRef.name).stringData);
  }
  for (const variable of container.env ?? []) environment[variable.name] = variable.value;
  return environment;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|mjs)$/.test(entry) && !/\.(spec|e2e-spec)\.ts$/.test(entry) ? [path] : [];
  });
}

describe('docker-compose.yml, profile replicas', () => {
  type Compose = { services: Record<string, { profiles?: string[]; environment?: Record<string, string>; volumes?: string[] }> };
  const compose = parseAllDocuments(readFileSync('docker-compose.yml', 'utf8'))[0].toJS({ maxAliasCount: -1 }) as Compose;
  const balancerConfig = readFileSync('deploy/haproxy/haproxy.cfg', 'utf8');

  it.each(Object.keys(SERVICES))('%s: a second replica, and the balancer sends to both', (service) => {
    expect(compose.services[service].profiles).toBeUndefined();
    expect(compose.services[`${service}-2`]).toMatchObject({ profiles: ['replicas'], environment: { SERVICE: service } });
    const backend = balancerConfig
      .slice(balancerConfig.indexOf(`\nbackend ${service}\n`))
      .split(/\n(?=\S)/)
      .slice(0, 2)
      .join('\n');
    expect([...backend.matchAll(/^\s+server \S+ ([\w-]+):(\d+)/gm)].map((m) => [m[1], Number(m[2])])).toEqual([
      [service, new Env()[SERVICES[service as keyof typeof SERVICES]]],
      [`${service}-2`, new Env()[SERVICES[service as keyof typeof SERVICES]]],
    ]);
    expect(backend).toContain('option httpchk GET /health/ready');
  });

  it("the balancer's configuration is valid HAProxy (haproxy -c)", () => {
    expect(compose.services.balancer.volumes).toEqual(['./deploy/haproxy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro']);
    expect(execFileSync('haproxy', ['-c', '-q', '-f', 'deploy/haproxy/haproxy.cfg'], { encoding: 'utf8', stdio: 'pipe' })).toBe('');
  });
});

describe('deploy/ (Kubernetes manifests)', () => {
  it('renders only kinds it knows, each valid against the Kubernetes schema', () => {
    expect(manifests.length).toBe(15);
    for (const manifest of manifests) {
      const Model = MODELS[`${manifest.apiVersion}/${manifest.kind}`];
      expect(Model).toBeDefined();
      expect(() => new Model(manifest as never).validate()).not.toThrow();
    }
  });

  it('the schema check itself refuses a broken manifest', () => {
    const broken = structuredClone(named<{ spec: { template: { spec: PodSpec } } }>('Deployment', 'intake')) as {
      spec: { template: { spec: PodSpec } };
    };
    (broken.spec.template.spec.containers[0].ports[0] as { containerPort: unknown }).containerPort = 'http';
    expect(() => new Deployment(broken as never).validate()).toThrow(/containerPort/);
  });

  it.each(Object.entries(SERVICES))('%s: two replicas spread over nodes, a budget, an autoscaler and a service', (service) => {
    const deployment = named<{ spec: { replicas: number; selector: { matchLabels: Record<string, string> } } }>('Deployment', service);
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': service });
    expect(podSpec('Deployment', service).topologySpreadConstraints?.map((c) => c.topologyKey)).toContain('kubernetes.io/hostname');
    expect(named<{ spec: { minAvailable: number } }>('PodDisruptionBudget', service).spec.minAvailable).toBe(1);
    const hpa = named<{ spec: { minReplicas: number; scaleTargetRef: { kind: string; name: string } } }>(
      'HorizontalPodAutoscaler',
      service,
    );
    expect(hpa.spec).toMatchObject({ minReplicas: 2, scaleTargetRef: { kind: 'Deployment', name: service } });
    expect(named<{ spec: { selector: Record<string, string> } }>('Service', service).spec.selector).toEqual({
      'app.kubernetes.io/name': service,
    });
  });

  it.each(Object.entries(SERVICES))(
    '%s: the container listens where the service does, with requests and a memory limit',
    (service, portVariable) => {
      const [container] = podSpec('Deployment', service).containers;
      const port = (loadEnv(environmentOf(container)) as unknown as Record<string, number>)[portVariable];
      expect(container.ports).toEqual([{ name: 'http', containerPort: port }]);
      expect(named<{ spec: { ports: Array<{ port: number }> } }>('Service', service).spec.ports[0].port).toBe(port);
      expect(container.resources.requests.cpu).toMatch(/^\d+m$/);
      expect(container.resources.limits.memory).toMatch(/^\d+Mi$/);
      expect(environmentOf(container).SERVICE).toBe(service);
    },
  );

  it.each(Object.keys(SERVICES))('%s: probes on the separate health endpoints, each a route the service serves', (service) => {
    const [container] = podSpec('Deployment', service).containers;
    expect(container.startupProbe.httpGet.path).toBe('/health/live');
    expect(container.livenessProbe.httpGet.path).toBe('/health/live');
    expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
    const base = Reflect.getMetadata('path', HealthController) as string;
    const served = Object.getOwnPropertyNames(HealthController.prototype)
      .map(
        (method) =>
          Reflect.getMetadata('path', (HealthController.prototype as unknown as Record<string, object>)[method]) as string | undefined,
      )
      .filter((path): path is string => path !== undefined)
      .map((path) => `${base}/${path}`);
    for (const probe of [container.startupProbe, container.livenessProbe, container.readinessProbe]) {
      const route = probe.httpGet.path.slice(1);
      expect(served).toContain(route);
      expect(UNPREFIXED_ROUTES).toContain(route);
      expect(probe.httpGet.port).toBe('http');
    }
  });

  it.each(Object.keys(SERVICES))('%s: every variable it is given is one the code reads, and the configuration validates', (service) => {
    const environment = environmentOf(podSpec('Deployment', service).containers[0]);
    for (const name of Object.keys(environment)) {
      expect([name, ENV_VARIABLES.includes(name) || READ_BESIDE_ENV.has(name) || IMAGE_VARIABLES.has(name)]).toEqual([name, true]);
    }
    const env = loadEnv(environment);
    expect(env).toBeInstanceOf(Env);
    expect(env.MIGRATE_ON_START).toBe('false');
    expect(env.KAFKA_BROKERS).toBeTruthy();
  });

  it('every variable the services read is set in the manifests or has a default', () => {
    const read = new Set(
      ['apps/intake/src', 'apps/rectification/src', 'apps/statistics/src', 'libs']
        .flatMap(sourceFiles)
        .filter((file) => !file.startsWith('libs/testing/') && !file.endsWith('.cli.ts'))
        .flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/process\.env(?:\.|\[['"])([A-Z][A-Z0-9_]*)/g)].map((m) => m[1])),
    );
    expect([...read].filter((name) => !ENV_VARIABLES.includes(name) && !READ_BESIDE_ENV.has(name))).toEqual([]);
    // The variables of Env itself: loadEnv (above, per service) refuses a required one that is neither set nor defaulted.
    expect(() => loadEnv({})).toThrow(/DATABASE_URL/);
  });

  it('migrations run once per release in a Job, and the services do not migrate on start', () => {
    const [container] = podSpec('Job', 'gov-review-migrate').containers;
    expect(container.command).toEqual(['node', 'dist/scripts/migrations.js', 'run', 'all']);
    expect(readFileSync('scripts/migrations.ts', 'utf8')).toContain("allowAll && name === 'all'");
    expect(loadEnv(environmentOf(container)).DATABASE_URL).toMatch(/^postgres:\/\//);
    for (const service of Object.keys(SERVICES)) {
      expect(environmentOf(podSpec('Deployment', service).containers[0]).MIGRATE_ON_START).toBe('false');
    }
  });
});
