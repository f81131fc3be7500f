// Rectification benchmark (BENCHMARKS.md § Rectification): time from a bad rating's 201 at intake
// to its case being visible through GET /api/v1/cases, while intake is under rating load.
//
// Starts the built intake and rectification services (dist/: `npx tsc -p tsconfig.build.json`) on a
// fresh database of BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) with Kafka
// at KAFKA_BROKERS (default 127.0.0.1:9092; `scripts/kafka.sh start`). Background load: BENCH_LOAD
// concurrent loops of signed GOOD ratings; probe: one BAD rating every BENCH_PROBE_MS, whose case a
// poller looks for every 20 ms through GET /cases (the measured latency includes up to one poll interval).
// Run: npm run bench:case-visibility
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { call, freshDatabase, jwt, setUpFleet, signed, waitForHealth } from './intake-client.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const duration = Number(process.env.BENCH_DURATION ?? 20) * 1000;
const load = Number(process.env.BENCH_LOAD ?? 16);
const probeMs = Number(process.env.BENCH_PROBE_MS ?? 50);
const baseDbUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const jwtSecret = randomBytes(32).toString('hex');
const dataKey = randomBytes(32).toString('hex');
const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);

function start(service, databaseUrl, port) {
  return spawn(process.execPath, [`dist/apps/${service}/src/main.js`], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: brokers,
      JWT_SECRET: jwtSecret,
      DATA_ENCRYPTION_KEY: dataKey,
      LOG_LEVEL: 'warn',
      [`${service.toUpperCase()}_PORT`]: String(port),
    },
  });
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function main() {
  const db = await freshDatabase(baseDbUrl, 'rect_bench');
  const intakeUrl = 'http://127.0.0.1:3201';
  const rectUrl = 'http://127.0.0.1:3202';
  const intake = start('intake', db.url, 3201);
  await waitForHealth(intakeUrl);
  const rect = start('rectification', db.url, 3202);
  await waitForHealth(rectUrl);
  try {
    const units = [{ code: 'BENCH-01', name: '基准测试单位' }];
    const { devices } = await setUpFleet(intakeUrl, jwtSecret, { units, devicesPerUnit: load + 1 });
    const supervisor = jwt(jwtSecret, 'supervisor');
    let seq = 0;
    const rate = async (device, level) => {
      const body = JSON.stringify({
        serviceRecordId: `B-${Date.now()}-${++seq}`,
        serviceItemCode: '310105-XK-0001',
        level,
        tags: level <= 2 ? ['EFFICIENCY'] : [],
        reviewer: { name: '张三', phone: '13800138000' },
        ratedAt: new Date().toISOString(),
      });
      const res = await call(intakeUrl, 'POST', '/api/v1/ratings', {
        headers: signed('x-device-id', device.id, device.secret, 'POST', '/api/v1/ratings', body),
        body,
      });
      return res;
    };
    // Warm-up: the shared broker may hold a backlog for the `rectification` consumer group (other
    // runs' events); wait until a first bad rating's case is visible, so only steady state is measured.
    const warm = await rate(devices[0], 1);
    for (let waited = 0; ; waited += 200) {
      const res = await call(rectUrl, 'GET', '/api/v1/cases?unitCode=BENCH-01&pageSize=10', { token: supervisor });
      if ((res.body.items ?? []).some((c) => c.reviewId === warm.body.id)) break;
      if (waited > 300_000) throw new Error('rectification did not catch up within 5 minutes');
      await new Promise((r) => setTimeout(r, 200));
    }
    log('warmed up; measuring');
    const stopAt = Date.now() + duration;
    let background = 0;
    const loops = devices.slice(1).map(async (device) => {
      while (Date.now() < stopAt) {
        const res = await rate(device, 5);
        if (res.status === 201) background += 1;
      }
    });
    const pending = new Map(); // reviewId → time of the 201
    const latencies = [];
    let polling = true;
    const poller = (async () => {
      while (polling || pending.size > 0) {
        const res = await call(rectUrl, 'GET', '/api/v1/cases?unitCode=BENCH-01&status=PENDING&pageSize=200', { token: supervisor });
        const now = performance.now();
        for (const c of res.body.items ?? []) {
          const t0 = pending.get(c.reviewId);
          if (t0 !== undefined) {
            latencies.push(now - t0);
            pending.delete(c.reviewId);
          }
        }
        await new Promise((r) => setTimeout(r, 20));
        if (!polling && Date.now() > stopAt + 30_000) break;
      }
    })();
    const probeDevice = devices[0];
    let probes = 0;
    while (Date.now() < stopAt) {
      const res = await rate(probeDevice, 1);
      if (res.status === 201) {
        pending.set(res.body.id, performance.now());
        probes += 1;
      }
      await new Promise((r) => setTimeout(r, probeMs));
    }
    await Promise.all(loops);
    polling = false;
    await poller;
    latencies.sort((a, b) => a - b);
    const result = {
      durationS: duration / 1000,
      backgroundRatings: background,
      backgroundPerS: Math.round(background / (duration / 1000)),
      badRatings: probes,
      casesSeen: latencies.length,
      missing: pending.size,
      p50Ms: Math.round(percentile(latencies, 50)),
      p95Ms: Math.round(percentile(latencies, 95)),
      p99Ms: Math.round(percentile(latencies, 99)),
      maxMs: Math.round(latencies[latencies.length - 1]),
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    intake.kill('SIGTERM');
    rect.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1000));
    const admin = new pg.Client({ connectionString: baseDbUrl });
    await admin.connect();
    if (process.env.BENCH_KEEP_DB) log(`kept database ${db.name}`);
    else await admin.query(`DROP DATABASE IF EXISTS "${db.name}" WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((err) => {
  log(err instanceof Error ? err.stack : String(err));
  process.exit(1);
});
