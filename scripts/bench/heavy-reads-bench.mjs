// Heavy reads vs. PAD ratings (BENCHMARKS.md § Heavy reads): one user keeps 300 report and bulletin
// requests in flight at statistics while another device's signed PAD ratings are timed at intake.
//
// For each layout — the all-in-one (`npm start`'s entry: each service in a worker thread of one
// process) and separate processes (one per service) — the built services (dist/) start on a fresh
// database of BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) with the
// embedded event bus. The PAD ratings are timed one after another for BENCH_SECONDS (default 15)
// without the flood, then as long again with it; the flood's answers are counted (200s, 429s, other).
// The per-caller heavy-read limits are the defaults (HEAVY_READ_CONCURRENCY, HEAVY_READ_PER_MINUTE)
// unless set; BENCH_UNLIMITED=1 adds a run of each layout with them as loose as they go (64 in flight, no
// per-minute rate), for comparison.
// Run: npm run bench:heavy-reads
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { freshDatabase, jwt, setUpFleet, signed, waitForHealth } from './intake-client.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const seconds = Number(process.env.BENCH_SECONDS ?? 15);
const flood = Number(process.env.BENCH_FLOOD ?? 300);
const baseDbUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ports = { intake: 3421, rectification: 3422, statistics: 3423 };
const jwtSecret = randomBytes(32).toString('hex');
const dataKey = randomBytes(32).toString('hex');
const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

function serviceEnv(databaseUrl, limits) {
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    JWT_SECRET: jwtSecret,
    DATA_ENCRYPTION_KEY: dataKey,
    LOG_LEVEL: 'warn',
    INTAKE_PORT: String(ports.intake),
    RECTIFICATION_PORT: String(ports.rectification),
    STATISTICS_PORT: String(ports.statistics),
    // The timed device rates one after another for the whole run: its own limits stay out of the way.
    INTAKE_DEVICE_RATE: '1000',
    INTAKE_DEVICE_BURST: '1000',
    INTAKE_DEVICE_ITEMS_PER_HOUR: '100000',
    ...limits,
  };
  delete env.KAFKA_BROKERS;
  return env;
}

function startLayout(layout, databaseUrl, limits) {
  const env = serviceEnv(databaseUrl, limits);
  const opts = { cwd: root, stdio: ['ignore', 'ignore', 'inherit'], env };
  if (layout === 'all-in-one') return [spawn(process.execPath, ['dist/apps/all-in-one/src/main.js'], opts)];
  return Object.keys(ports).map((s) => spawn(process.execPath, ['--max-old-space-size=128', `dist/apps/${s}/src/main.js`], opts));
}

async function stopAll(children) {
  await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', resolve);
          child.kill('SIGTERM');
        }),
    ),
  );
}

/** Signed single ratings from one device, one after another until `until`; returns each one's latency (ms). */
async function timeRatings(intakeUrl, device, until, tag) {
  const latencies = [];
  let seq = 0;
  while (Date.now() < until) {
    const body = JSON.stringify({
      serviceRecordId: `HR-${tag}-${++seq}`,
      serviceItemCode: '310105-XK-0001',
      level: 5,
      ratedAt: new Date(Date.now() - 1000).toISOString(),
    });
    const t0 = performance.now();
    const res = await fetch(`${intakeUrl}/api/v1/ratings`, {
      method: 'POST',
      headers: signed('x-device-id', device.id, device.secret, 'POST', '/api/v1/ratings', body),
      body,
    });
    await res.arrayBuffer();
    if (res.status !== 201) throw new Error(`rating: ${res.status}`);
    latencies.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 20));
  }
  return latencies.sort((a, b) => a - b);
}

/** `flood` loops, each sending one heavy read after another as one user until `until`. */
async function floodReads(statsUrl, until) {
  const token = jwt(jwtSecret, 'supervisor');
  const year = new Date().getUTCFullYear();
  const paths = [
    `/api/v1/reports/quarterly?year=${year}&quarter=1`,
    `/api/v1/reports/quarterly/bulletin?year=${year}&quarter=1`,
    `/api/v1/reports/summary?from=${year}-01-01&to=${year}-03-31`,
  ];
  const counts = { total: 0, ok: 0, limited: 0, other: 0 };
  await Promise.all(
    Array.from({ length: flood }, async (_, i) => {
      for (let n = i; Date.now() < until; n++) {
        const res = await fetch(`${statsUrl}${paths[n % paths.length]}`, { headers: { authorization: `Bearer ${token}` } });
        await res.arrayBuffer();
        counts.total++;
        if (res.status === 200) counts.ok++;
        else if (res.status === 429) counts.limited++;
        else counts.other++;
      }
    }),
  );
  return counts;
}

const summary = (sorted) => ({
  n: sorted.length,
  p50: Math.round(percentile(sorted, 50) * 10) / 10,
  p99: Math.round(percentile(sorted, 99) * 10) / 10,
});

async function run(layout, limits, label) {
  const db = await freshDatabase(baseDbUrl, 'heavy_reads_bench');
  const children = startLayout(layout, db.url, limits);
  const intakeUrl = `http://127.0.0.1:${ports.intake}`;
  const statsUrl = `http://127.0.0.1:${ports.statistics}`;
  try {
    await waitForHealth(intakeUrl, 120_000);
    await waitForHealth(statsUrl, 120_000);
    const { devices } = await setUpFleet(intakeUrl, jwtSecret, { units: [{ code: 'HR-01', name: '基准测试单位' }], devicesPerUnit: 1 });
    const [device] = devices;
    await timeRatings(intakeUrl, device, Date.now() + 2000, 'warm'); // warm-up
    const quiet = await timeRatings(intakeUrl, device, Date.now() + seconds * 1000, 'quiet');
    const load = [];
    const sampler = setInterval(() => load.push(loadavg()[0]), 1000);
    const until = Date.now() + seconds * 1000;
    const [flooded, counts] = await Promise.all([timeRatings(intakeUrl, device, until, 'flood'), floodReads(statsUrl, until)]);
    clearInterval(sampler);
    const result = {
      layout,
      limits: label,
      quiet: summary(quiet),
      flooded: summary(flooded),
      flood: counts,
      load1: Math.round(Math.max(...load) * 100) / 100,
    };
    log(JSON.stringify(result));
    return result;
  } finally {
    await stopAll(children);
  }
}

async function main() {
  const layouts = ['all-in-one', 'separate'];
  const variants = [['default limits', {}]];
  if (process.env.BENCH_UNLIMITED === '1')
    variants.push(['64 in flight (the most allowed), no rate', { HEAVY_READ_CONCURRENCY: '64', HEAVY_READ_PER_MINUTE: '1000000' }]);
  const results = [];
  for (const [label, limits] of variants) for (const layout of layouts) results.push(await run(layout, limits, label));
  const rows = results.map(
    (r) =>
      `| ${r.layout} | ${r.limits} | ${r.quiet.p50} / ${r.quiet.p99} (${r.quiet.n}) | ${r.flooded.p50} / ${r.flooded.p99} (${r.flooded.n}) | ${r.flood.total} | ${r.flood.limited} | ${r.flood.ok} | ${r.flood.other} | ${r.load1} |`,
  );
  process.stdout.write(
    [
      '| layout | heavy-read limits | PAD rating p50 / p99 ms, quiet (n) | with the flood (n) | flood requests | 429 | 200 | other | max load (1 min) |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...rows,
      '',
    ].join('\n'),
  );
}

await main();
