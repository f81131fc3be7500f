// npm run bench — intake throughput and latency (BENCHMARKS.md § Intake).
//
// Starts the built intake service (dist/, `npx tsc -p tsconfig.build.json` first) on a fresh
// database of the PostgreSQL at BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres)
// with Kafka at KAFKA_BROKERS (default 127.0.0.1:9092; `scripts/kafka.sh start`), then drives it
// with autocannon: single signed ratings, then 500-rating offline batches, then 5,000-rating history
// imports (POST /imports/ratings, admin); finally checks that every acknowledged rating is in the
// store and in the outbox exactly once.
//
// Env: BENCH_DURATION (s, default 20), BENCH_CONNECTIONS (default 64), BENCH_BATCH_CONNECTIONS (default 4),
//      BENCH_DEVICES (default 200), BENCH_PHASES (default single,batch,import), BENCH_IMPORT_CONNECTIONS (default 4),
//      BENCH_RATE (single ratings offered per second, open loop; default: as fast as the connections go),
//      BENCH_WARMUP (s of single ratings before the measured phases, acknowledged ones durability-checked too; default 5), INTAKE_URL (use an already running intake instead; then pass JWT_SECRET),
//      INTAKE_WORKERS (intake processes behind the port, node:cluster; default 1),
//      BENCH_NODE_ARGS (node flags for the intake process; default --max-old-space-size=128 --max-semi-space-size=8, as the services run; e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof --import ./scripts/bench/intake-exit-on-term.mjs`).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import autocannon from 'autocannon';
import pg from 'pg';
import { freshDatabase, jwt, setUpFleet, signed, UNITS, waitForHealth } from './intake-client.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const duration = Number(process.env.BENCH_DURATION ?? 20);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 64);
// A fixed offered rate measures latency at that load instead of at saturation.
const offeredRate = process.env.BENCH_RATE ? Number(process.env.BENCH_RATE) : undefined;
// JIT, plan caches, pools and credential caches are cold at first: that second is not what a running system sees.
const warmup = Number(process.env.BENCH_WARMUP ?? 5);
const batchConnections = Number(process.env.BENCH_BATCH_CONNECTIONS ?? 4);
const phases = (process.env.BENCH_PHASES ?? 'single,batch,import').split(',');
const importConnections = Number(process.env.BENCH_IMPORT_CONNECTIONS ?? 4);
const IMPORT_SIZE = 5000;
const deviceCount = Number(process.env.BENCH_DEVICES ?? 200);
const baseDbUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const port = Number(process.env.BENCH_PORT ?? 3101);
const jwtSecret = process.env.JWT_SECRET ?? randomBytes(32).toString('hex');
const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);

function startIntake(databaseUrl) {
  // Default: the heap cap the services run with (package.json start:*, Dockerfile).
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '--max-old-space-size=128 --max-semi-space-size=8').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, 'dist/apps/intake/src/main.js'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: brokers,
      JWT_SECRET: jwtSecret,
      DATA_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      INTAKE_PORT: String(port),
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      DB_POOL_SIZE: process.env.DB_POOL_SIZE ?? '12',
      // Benchmark fleets are few devices sending far more than a person could: lift the per-device limit.
      INTAKE_DEVICE_RATE: '1000000',
      INTAKE_DEVICE_BURST: '1000000',
      INTAKE_DEVICE_ITEMS_PER_HOUR: '1000000000',
      NODE_ENV: 'production',
    },
  });
  return child;
}

/** CPU seconds (user + system) of a process from /proc (Linux; null elsewhere), and of the whole machine. */
function cpuOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: Number(f[11]) / 100, system: Number(f[12]) / 100 };
  } catch {
    return null;
  }
}
function machineBusy() {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return (f.reduce((a, b) => a + b, 0) - f[3] - f[4]) / 100; // all but idle and iowait
  } catch {
    return null;
  }
}
/** Resident memory (MiB) of a process from /proc (Linux; 0 elsewhere). */
function rssOf(pid) {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:'));
    return line ? Number(line.split(/\s+/)[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Reviews in the store (null when the bench did not create the database): what a phase stored, in-flight requests included. */
async function storedReviews() {
  if (!db) return null;
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    return (await client.query(`SELECT count(*)::int AS n FROM intake.reviews`)).rows[0].n;
  } finally {
    await client.end();
  }
}

/** Once the load stops, waits until the store no longer grows (requests in flight finish) and answers its size. */
async function settledReviews() {
  let last = await storedReviews();
  for (let i = 0; i < 120 && last !== null; i++) {
    await new Promise((r) => setTimeout(r, 500));
    const now = await storedReviews();
    if (now === last) break;
    last = now;
  }
  return last;
}

/**
 * CPU spent during a phase: intake (all its processes), this load generator, and the whole 2-core machine; and intake's peak RSS.
 * The phase ends when the store stops growing, so that the CPU of requests still in flight when the load stopped (a
 * 5,000-rating import takes seconds) is set against the ratings they stored: `ratingsStored`.
 */
async function measured(pids, fn) {
  const storedBefore = await storedReviews();
  const sum = (kind) => pids().reduce((a, p) => a + (cpuOf(p)?.[kind] ?? 0), 0);
  const before = { intake: sum('user') + sum('system'), intakeSystem: sum('system'), bench: process.cpuUsage(), machine: machineBusy() };
  let peakRss = 0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, ...pids().map(rssOf));
  }, 250);
  const result = await fn();
  const storedAfter = await settledReviews();
  clearInterval(sampler);
  result.ratingsStored = storedBefore === null ? null : storedAfter - storedBefore;
  result.intakePeakRssMiB = Math.round(peakRss);
  const bench = process.cpuUsage(before.bench);
  result.cpuSeconds = {
    intake: Math.round((sum('user') + sum('system') - before.intake) * 100) / 100,
    intakeKernel: Math.round((sum('system') - before.intakeSystem) * 100) / 100,
    loadGenerator: Math.round((bench.user + bench.system) / 1e4) / 100,
    machine: before.machine === null ? null : Math.round((machineBusy() - before.machine) * 100) / 100,
  };
  return result;
}

function run(opts) {
  return new Promise((resolve, reject) => {
    const instance = autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
    autocannon.track(instance, { renderProgressBar: false, renderResultsTable: false, renderLatencyTable: false });
  });
}

let child;
let db;
/** The intake process and its children (cluster workers), for CPU accounting. */
function intakePids() {
  if (!child) return [];
  const out = [];
  const walk = (pid) => {
    out.push(pid);
    try {
      for (const c of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) walk(Number(c));
    } catch {
      /* not Linux, or gone */
    }
  };
  walk(child.pid);
  return out;
}
try {
  let baseUrl = process.env.INTAKE_URL;
  if (!baseUrl) {
    db = await freshDatabase(baseDbUrl, 'intake_bench');
    child = startIntake(db.url);
    baseUrl = `http://127.0.0.1:${port}`;
  }
  await waitForHealth(baseUrl);
  const loadBefore = os.loadavg()[0];
  const perUnit = Math.ceil(deviceCount / UNITS.length);
  const { devices } = await setUpFleet(baseUrl, jwtSecret, { units: UNITS, devicesPerUnit: perUnit });
  log(
    `fleet: ${devices.length} devices; single ratings: ${connections} connections × ${duration} s${offeredRate ? ` at ${offeredRate}/s` : ''}`,
  );

  // ratedAt per device 2.1 s apart: never a 刷评 burst, so the measured path is the normal one. They start
  // 29 days back, within a device rating's age bound (RATING_MAX_AGE_DAYS, default 30).
  const base = Date.now() - 29 * 24 * 3600 * 1000;
  const perDevice = new Map(devices.map((d) => [d.id, 0]));
  let seq = 0;
  const runId = randomBytes(3).toString('hex');
  const nextRating = (device) => {
    const k = perDevice.get(device.id);
    perDevice.set(device.id, k + 1);
    seq += 1;
    const level = seq % 50 === 0 ? 1 + (seq % 2) : 5 - (seq % 7 === 0 ? 1 : 0);
    return {
      serviceRecordId: `B-${runId}-${seq}`,
      serviceItemCode: '310105-XK-0001',
      serviceItemName: '食品经营许可',
      staffId: `E${1000 + (seq % 40)}`,
      level,
      ...(level <= 2 ? { tags: ['EFFICIENCY'], comment: '等了很久', reviewer: { name: '张三', phone: '13800138000' } } : {}),
      ratedAt: new Date(base + k * 2100).toISOString(),
    };
  };
  let di = 0;
  // Ids of every acknowledged (2xx) rating, checked against the store at the end.
  const acknowledged = new Set();
  const skipped = { '2xx': 0, non2xx: 0, errors: 0, timeouts: 0, duration: 1, latency: {} };
  const singleRatings = (seconds) =>
    run({
      url: baseUrl,
      connections,
      duration: seconds,
      ...(offeredRate ? { overallRate: offeredRate } : {}),
      requests: [
        {
          method: 'POST',
          path: '/api/v1/ratings',
          setupRequest: (req) => {
            const device = devices[di++ % devices.length];
            const body = JSON.stringify(nextRating(device));
            return { ...req, body, headers: signed('x-device-id', device.id, device.secret, 'POST', '/api/v1/ratings', body) };
          },
          onResponse: (status, body) => {
            if (status === 201 || status === 200) acknowledged.add(JSON.parse(body).id);
          },
        },
      ],
    });
  if (warmup > 0) {
    log(`warm-up: ${warmup} s of single ratings (not measured)`);
    await singleRatings(warmup);
  }
  const single = !phases.includes('single') ? skipped : await measured(intakePids, () => singleRatings(duration));

  log(`batches: ${batchConnections} connections × ${duration} s, 500 ratings each`);
  const batch = !phases.includes('batch')
    ? skipped
    : await measured(intakePids, () =>
        run({
          url: baseUrl,
          connections: batchConnections,
          duration,
          requests: [
            {
              method: 'POST',
              path: '/api/v1/ratings/batch',
              setupRequest: (req) => {
                const device = devices[di++ % devices.length];
                const body = JSON.stringify({ ratings: Array.from({ length: 500 }, () => nextRating(device)) });
                return { ...req, body, headers: signed('x-device-id', device.id, device.secret, 'POST', '/api/v1/ratings/batch', body) };
              },
              onResponse: (status, body) => {
                if (status === 200) for (const r of JSON.parse(body).results) if (r.id) acknowledged.add(r.id);
              },
            },
          ],
        }),
      );

  // History imports: 5,000 ratings of one unit per request, rated years ago (as a previous platform exports them).
  log(`imports: ${importConnections} connections × ${duration} s, ${IMPORT_SIZE} ratings each`);
  const admin = `Bearer ${jwt(jwtSecret, 'admin')}`;
  let ui = 0;
  const historyBase = Date.parse('2019-01-02T09:00:00+08:00');
  const nextImported = () => {
    seq += 1;
    const level = seq % 50 === 0 ? 1 + (seq % 2) : 5 - (seq % 7 === 0 ? 1 : 0);
    return {
      serviceRecordId: `I-${runId}-${seq}`,
      serviceItemCode: '310105-XK-0001',
      serviceItemName: '食品经营许可',
      staffId: `E${1000 + (seq % 40)}`,
      level,
      ...(level <= 2 ? { tags: ['EFFICIENCY'], comment: '等了很久', reviewer: { name: '张三', phone: '13800138000' } } : {}),
      ratedAt: new Date(historyBase + seq * 60_000).toISOString(),
    };
  };
  const imports = !phases.includes('import')
    ? skipped
    : await measured(intakePids, () =>
        run({
          url: baseUrl,
          connections: importConnections,
          duration,
          requests: [
            {
              method: 'POST',
              path: '/api/v1/imports/ratings',
              setupRequest: (req) => {
                const unit = UNITS[ui++ % UNITS.length];
                const body = JSON.stringify({ unitCode: unit.code, ratings: Array.from({ length: IMPORT_SIZE }, nextImported) });
                return { ...req, body, headers: { 'content-type': 'application/json', authorization: admin } };
              },
              onResponse: (status, body) => {
                if (status === 200) for (const r of JSON.parse(body).results) if (r.id) acknowledged.add(r.id);
              },
            },
          ],
        }),
      );

  const result = {
    loadAverageBeforeAfter: [loadBefore, os.loadavg()[0]].map((l) => Math.round(l * 100) / 100),
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model,
      memGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      kernel: os.release(),
    },
    single: {
      connections,
      duration,
      offeredPerSecond: offeredRate ?? null,
      requests2xx: single['2xx'],
      non2xx: single.non2xx,
      errors: single.errors,
      timeouts: single.timeouts,
      ratingsPerSecond: Math.round(single['2xx'] / single.duration),
      latencyMs: { p50: single.latency.p50, p90: single.latency.p90, p99: single.latency.p99, max: single.latency.max },
      cpuSeconds: single.cpuSeconds,
      intakeCpuMsPerRating: single['2xx'] ? Math.round(((single.cpuSeconds?.intake ?? 0) * 1e5) / single['2xx']) / 100 : null,
      intakePeakRssMiB: single.intakePeakRssMiB ?? null,
    },
    batch: {
      connections: batchConnections,
      duration,
      batches2xx: batch['2xx'],
      non2xx: batch.non2xx,
      ratingsPerSecond: Math.round((batch['2xx'] * 500) / batch.duration),
      batchLatencyMs: { p50: batch.latency.p50, p99: batch.latency.p99 },
      cpuSeconds: batch.cpuSeconds,
      intakeCpuMsPerRating: batch['2xx'] ? Math.round(((batch.cpuSeconds?.intake ?? 0) * 1e5) / (batch['2xx'] * 500)) / 100 : null,
      ratingsStored: batch.ratingsStored ?? null,
      intakeCpuMsPerStoredRating: batch.ratingsStored
        ? Math.round(((batch.cpuSeconds?.intake ?? 0) * 1e5) / batch.ratingsStored) / 100
        : null,
      intakePeakRssMiB: batch.intakePeakRssMiB ?? null,
    },
    import: {
      connections: importConnections,
      duration,
      imports2xx: imports['2xx'],
      non2xx: imports.non2xx,
      ratingsPerSecond: Math.round((imports['2xx'] * IMPORT_SIZE) / imports.duration),
      importLatencyMs: { p50: imports.latency.p50, p99: imports.latency.p99 },
      cpuSeconds: imports.cpuSeconds,
      intakeCpuMsPerRating: imports['2xx']
        ? Math.round(((imports.cpuSeconds?.intake ?? 0) * 1e5) / (imports['2xx'] * IMPORT_SIZE)) / 100
        : null,
      ratingsStored: imports.ratingsStored ?? null,
      intakeCpuMsPerStoredRating: imports.ratingsStored
        ? Math.round(((imports.cpuSeconds?.intake ?? 0) * 1e5) / imports.ratingsStored) / 100
        : null,
      intakePeakRssMiB: imports.intakePeakRssMiB ?? null,
    },
  };

  if (db) {
    // Durability: every acknowledged rating is stored once and has exactly one event.
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const ids = [...acknowledged];
    let found = 0;
    let withEvent = 0;
    for (let i = 0; i < ids.length; i += 10_000) {
      const chunk = ids.slice(i, i + 10_000);
      found += (await client.query(`SELECT count(*)::int AS n FROM intake.reviews WHERE id = ANY($1::uuid[])`, [chunk])).rows[0].n;
      withEvent += (
        await client.query(
          `SELECT count(DISTINCT payload->'data'->>'reviewId')::int AS n FROM intake.outbox WHERE payload->>'type' = 'gov.review.submitted' AND payload->'data'->>'reviewId' = ANY($1::text[])`,
          [chunk],
        )
      ).rows[0].n;
    }
    // One statement, one snapshot: requests still in flight when the load stopped (a 5,000-rating import
    // commits group by group) must not land between the two counts.
    const [{ stored, events }] = (
      await client.query(
        `SELECT (SELECT count(*)::int FROM intake.reviews) AS stored,
           (SELECT count(*)::int FROM intake.outbox WHERE payload->>'type' = 'gov.review.submitted') AS events`,
      )
    ).rows;
    const deadline = Date.now() + 120_000;
    let unpublished = -1;
    while (Date.now() < deadline) {
      unpublished = (await client.query(`SELECT count(*)::int AS n FROM intake.outbox WHERE published_at IS NULL`)).rows[0].n;
      if (unpublished === 0) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    await client.end();
    result.durability = {
      acknowledged: ids.length,
      acknowledgedAndStored: found,
      acknowledgedWithOneEvent: withEvent,
      // Requests still in flight when the load generator stopped may be stored without being counted as acknowledged.
      storedTotal: stored,
      eventsTotal: events,
      unpublishedAfterDrain: unpublished,
      ok: found === ids.length && withEvent === ids.length && events === stored,
    };
    if (!result.durability.ok) {
      log('FAILED: an acknowledged rating is missing, or stored without exactly one event (durability above)');
      process.exitCode = 1;
    }
  }
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  if (child) {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  if (db && !process.env.BENCH_KEEP_DB) {
    const admin = new pg.Client({ connectionString: baseDbUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${db.name}" WITH (FORCE)`);
    await admin.end();
  }
}
