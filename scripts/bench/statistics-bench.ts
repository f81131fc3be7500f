// npm run bench:statistics — report latency and rebuild duration over the seeded bench database
// (`npm run seed:reviews` first; BENCHMARKS.md § Statistics).
//
// Starts the built statistics service (dist/apps/statistics/src/main.js) on BENCH_DB with the embedded event bus,
// then measures sequential requests (after a warm-up) of GET /api/v1/reports/quarterly for the last complete
// Shanghai quarter — all units, and one unit — plus the year-to-date summary and the bulletin, and finally the
// duration of POST /api/v1/reports/rebuild.
//
// Env: BENCH_REQUESTS (per scenario, default 300), BENCH_REBUILDS (default 2), BENCH_PORT (default 3203),
//      BENCH_DB / DATABASE_URL (see statistics-common.ts).
import 'reflect-metadata';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { JwtService } from '@nestjs/jwt';
import { Client } from 'pg';
import { benchDatabaseUrl, log } from './statistics-common.js';

const root = fileURLToPath(new URL('../../../', import.meta.url)); // dist/scripts/bench → repository root
const requests = Number(process.env.BENCH_REQUESTS ?? 300);
const rebuilds = Number(process.env.BENCH_REBUILDS ?? 2);
const port = Number(process.env.BENCH_PORT ?? 3203);
const secret = randomBytes(32).toString('hex');
const base = `http://127.0.0.1:${port}`;
const jwt = new JwtService({ secret });
const token = (role: string, unitCode?: string) =>
  `Bearer ${jwt.sign({ sub: `bench-${role}`, role, ...(unitCode ? { unitCode } : {}) }, { expiresIn: 3600, algorithm: 'HS256' })}`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function call(path: string, auth: string, method = 'GET'): Promise<{ ms: number; body: string }> {
  const start = process.hrtime.bigint();
  const res = await fetch(`${base}${path}`, { method, headers: { Authorization: auth } });
  const body = await res.text();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${body.slice(0, 300)}`);
  return { ms, body };
}

async function scenario(name: string, path: string, auth: string) {
  for (let i = 0; i < 20; i++) await call(path, auth);
  const times: number[] = [];
  for (let i = 0; i < requests; i++) times.push((await call(path, auth)).ms);
  times.sort((a, b) => a - b);
  const row = { name, path, n: requests, p50: percentile(times, 50), p99: percentile(times, 99), max: times[times.length - 1]! };
  log(`${name}: p50 ${row.p50.toFixed(1)} ms, p99 ${row.p99.toFixed(1)} ms, max ${row.max.toFixed(1)} ms`);
  return row;
}

async function waitForHealth(child: ChildProcess) {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`statistics exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${base}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('statistics did not become healthy');
}

const url = benchDatabaseUrl();
const sql = new Client({ connectionString: url });
await sql.connect();
const { rows } = await sql.query<{ reviews: number; facts: number; rollups: number; quarter: string; unit: string }>(
  `SELECT (SELECT reltuples FROM pg_class WHERE oid = 'intake.reviews'::regclass)::bigint AS reviews,
     (SELECT count(*) FROM statistics.review_facts)::int AS facts, (SELECT count(*) FROM statistics.review_rollups)::int AS rollups,
     to_char(date_trunc('quarter', (now() AT TIME ZONE 'Asia/Shanghai')) - interval '1 day', 'YYYY-Q') AS quarter,
     (SELECT unit_code FROM statistics.units ORDER BY unit_code LIMIT 1) AS unit`,
);
await sql.end();
const info = rows[0]!;
if (!info.facts) throw new Error(`no statistics facts in ${url}: run npm run seed:reviews first`);
const [year, quarter] = info.quarter.split('-').map(Number);
log(
  `database ${url}: ~${Number(info.reviews).toLocaleString('en')} reviews, ${info.facts.toLocaleString('en')} facts, ${info.rollups} review rollup rows`,
);

const env: NodeJS.ProcessEnv = {
  ...process.env,
  DATABASE_URL: url,
  JWT_SECRET: secret,
  DATA_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
  STATISTICS_PORT: String(port),
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  NODE_ENV: 'production',
};
delete env.KAFKA_BROKERS;
const child = spawn(process.execPath, ['dist/apps/statistics/src/main.js'], { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'] });
try {
  await waitForHealth(child);
  const supervisor = token('supervisor');
  const q = `year=${year}&quarter=${quarter}`;
  const results = [
    await scenario(`quarterly ${year}-Q${quarter}, all units`, `/api/v1/reports/quarterly?${q}`, supervisor),
    await scenario(`quarterly ${year}-Q${quarter}, unit ${info.unit}`, `/api/v1/reports/quarterly?${q}&unitCode=${info.unit}`, supervisor),
    await scenario(
      `quarterly ${year}-Q${quarter}, unit_operator (own unit)`,
      `/api/v1/reports/quarterly?${q}`,
      token('unit_operator', info.unit),
    ),
    await scenario(`summary ${year}-01-01…${year}-09-30`, `/api/v1/reports/summary?from=${year}-01-01&to=${year}-09-30`, supervisor),
    await scenario(`bulletin ${year}-Q${quarter} (HTML + SVG charts)`, `/api/v1/reports/quarterly/bulletin?${q}`, supervisor),
  ];
  const rebuildMs: number[] = [];
  for (let i = 0; i < rebuilds; i++) {
    const { ms, body } = await call('/api/v1/reports/rebuild', token('admin'), 'POST');
    rebuildMs.push(ms);
    log(`POST /reports/rebuild: ${(ms / 1000).toFixed(1)} s ${body}`);
  }
  const machine = { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memGiB: Math.round(os.totalmem() / 2 ** 30), load: os.loadavg() };
  process.stdout.write(`${JSON.stringify({ machine, reviews: info.facts, results, rebuildMs }, null, 2)}\n`);
} finally {
  child.kill('SIGTERM');
}
