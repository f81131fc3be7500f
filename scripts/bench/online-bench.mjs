// npm run bench:online — the online platform's batch rate (BENCHMARKS.md § Online platform).
//
// Starts the built intake service (dist/, `npx tsc -p tsconfig.build.json` first; the npm script does it) on a
// fresh database of the PostgreSQL at BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres),
// with Kafka at KAFKA_BROKERS when set (else the embedded bus), registers one ONLINE platform client and
// BENCH_UNITS units, then has BENCH_CONNECTIONS connections push signed 500-rating batches
// (POST /online/ratings/batch, every item a new matter of a random unit) for BENCH_DURATION seconds.
// Reports ratings/s and the batch latency, then checks that every rating acknowledged `created` is stored
// on channel ONLINE with its event in the outbox, exactly once.
//
// Env: BENCH_DURATION (s, default 20), BENCH_CONNECTIONS (default 4), BENCH_UNITS (default 20),
//      BENCH_BATCH (items per batch, default 500), BENCH_PORT (default 3111), DB_POOL_SIZE (default 12).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { call, freshDatabase, jwt, signed, waitForHealth } from './intake-client.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const duration = Number(process.env.BENCH_DURATION ?? 20);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 4);
const unitCount = Number(process.env.BENCH_UNITS ?? 20);
const batchSize = Number(process.env.BENCH_BATCH ?? 500);
const port = Number(process.env.BENCH_PORT ?? 3111);
const baseDbUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const jwtSecret = randomBytes(32).toString('hex');
const baseUrl = `http://127.0.0.1:${port}`;
const PATH = '/api/v1/online/ratings/batch';

const db = await freshDatabase(baseDbUrl, 'online_bench');
const intake = spawn(process.execPath, ['--max-old-space-size=128', '--max-semi-space-size=8', 'dist/apps/intake/src/main.js'], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
  env: {
    ...process.env,
    DATABASE_URL: db.url,
    JWT_SECRET: jwtSecret,
    DATA_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    INTAKE_PORT: String(port),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    DB_POOL_SIZE: process.env.DB_POOL_SIZE ?? '12',
    // One client sending far more requests than a real platform would: lift the per-client request limit.
    INTAKE_CLIENT_RATE: '1000000',
    INTAKE_CLIENT_BURST: '1000000',
    NODE_ENV: 'production',
  },
});

let seq = 0;
const tags = ['ATTITUDE', 'EFFICIENCY', 'PROCESS'];
function batchBody(units) {
  const now = Date.now();
  const ratings = Array.from({ length: batchSize }, (_, i) => {
    const level = 1 + ((seq * 7) % 5);
    seq += 1;
    return {
      unitCode: units[seq % units.length],
      serviceRecordId: `ONL-${seq}`,
      serviceItemCode: '310105-XK-0001',
      serviceItemName: '食品经营许可',
      level,
      ...(level <= 2 ? { tags: [tags[seq % tags.length]], comment: '网上办理等待太久' } : {}),
      ...(seq % 4 === 0 ? { stage: 'ACCEPTANCE' } : {}),
      // ratedAt spread over the last day: an honest platform's backlog, no 刷评 burst.
      ratedAt: new Date(now - 3_600_000 - ((seq * 1_000) % 86_400_000) - i).toISOString(),
    };
  });
  return JSON.stringify({ ratings });
}

try {
  await waitForHealth(baseUrl);
  const admin = jwt(jwtSecret, 'admin');
  const units = Array.from({ length: unitCount }, (_, i) => `OB-${String(i + 1).padStart(2, '0')}`);
  for (const code of units) {
    const res = await call(baseUrl, 'POST', '/api/v1/units', { token: admin, body: { code, name: `单位${code}` } });
    if (res.status !== 201) throw new Error(`unit ${code}: ${res.status}`);
  }
  const client = await call(baseUrl, 'POST', '/api/v1/platform-clients', {
    token: admin,
    body: { name: '一网通办（压测）', channel: 'ONLINE' },
  });
  if (client.status !== 201) throw new Error(`platform client: ${client.status} ${JSON.stringify(client.body)}`);
  const { clientId, secret } = client.body;

  const latencies = [];
  const created = [];
  let rejected = 0;
  const deadline = Date.now() + duration * 1000;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < deadline) {
        const body = batchBody(units);
        const t0 = performance.now();
        const res = await fetch(`${baseUrl}${PATH}`, {
          method: 'POST',
          headers: signed('x-client-id', clientId, secret, 'POST', PATH, body),
          body,
        });
        const answer = await res.json();
        latencies.push(performance.now() - t0);
        if (res.status !== 200) throw new Error(`batch: ${res.status} ${JSON.stringify(answer)}`);
        for (const r of answer.results) {
          if (r.status === 'created') created.push(r.id);
          else rejected += 1;
        }
      }
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))].toFixed(0);

  const sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  const stored = Number(
    (await sql.query(`SELECT count(*) AS n FROM intake.reviews WHERE channel = 'ONLINE' AND id = ANY($1::uuid[])`, [created])).rows[0].n,
  );
  const events = Number(
    (
      await sql.query(
        `SELECT count(DISTINCT payload->>'subject') AS n FROM intake.outbox WHERE payload->>'type' = 'gov.review.submitted' AND payload->'data'->>'channel' = 'ONLINE'`,
      )
    ).rows[0].n,
  );
  await sql.end();
  const result = {
    batches: latencies.length,
    batchSize,
    connections,
    created: created.length,
    rejected,
    seconds: Number(seconds.toFixed(1)),
    ratingsPerSecond: Math.round(created.length / seconds),
    batchLatencyMs: { p50: Number(pct(50)), p95: Number(pct(95)), p99: Number(pct(99)) },
    storedOnlineExactlyOnce: stored === created.length && new Set(created).size === created.length,
    eventsInOutbox: events,
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  if (!result.storedOnlineExactlyOnce || rejected > 0) process.exitCode = 1;
} finally {
  intake.kill('SIGTERM');
  await new Promise((resolve) => intake.once('exit', resolve));
  const admin = new pg.Client({ connectionString: baseDbUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${db.name}" WITH (FORCE)`);
  await admin.end();
}
