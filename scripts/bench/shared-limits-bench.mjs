// npm run bench:limits — what the shared limits add to each rating (BENCHMARKS.md § Shared limits).
//
// Replays, per rating, exactly the limit decisions intake's guards make on a signed rating: the
// failed-signature counters of the id and address are checked and a point of the device's request
// limit and one of its hourly item budget are charged — first with the former per-process token
// buckets, then with the shared PostgreSQL store (libs/database/src/shared-limits.ts: one statement,
// SharedLimit.decide, on rate-limiter-flexible's table). Reports the
// Node CPU per rating (the intake process's share), the PostgreSQL backends' CPU per rating and the
// latency of the decisions, with BENCH_CONCURRENCY ratings in flight over BENCH_DEVICES devices.
//
// Ratings arrive open-loop at BENCH_RATE a second (default 1200, about the whole system's sustained rate on
// the 2-core machine): decisions group as they do in intake, by what arrives while a statement is in
// flight. BENCH_RATE=0 runs closed-loop instead, BENCH_CONCURRENCY at a time.
//
// Env: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres; a scratch database is
//      created and dropped), BENCH_RATINGS (default 20000), BENCH_RATE (default 1200), BENCH_CONCURRENCY
//      (default 64, closed loop only), BENCH_DEVICES (default 8400), DB_POOL_SIZE (default 12, as the bench runs intake).
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { TokenBuckets } from '../../dist/libs/common/src/index.js';
import { SharedLimit, sharedLimit } from '../../dist/libs/database/src/index.js';
import { SessionCheck } from '../../dist/libs/auth/src/session-check.js';

const baseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ratings = Number(process.env.BENCH_RATINGS ?? 20_000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 64);
const rate = Number(process.env.BENCH_RATE ?? 1200);
const deviceCount = Number(process.env.BENCH_DEVICES ?? 8_400);
const poolSize = Number(process.env.DB_POOL_SIZE ?? 12);
const APP = 'shared-limits-bench';
const log = (msg) => process.stderr.write(`[limits] ${msg}\n`);

const devices = Array.from({ length: deviceCount }, () => randomUUID());
const addresses = Array.from({ length: 64 }, (_, i) => `10.0.${i >> 8}.${i & 255}`);

/** Runs `ratings` decisions (at `rate` a second, or `concurrency` at a time); CPU of this process and latency of each. */
async function run(label, decide) {
  const pg0 = await backendCpuMs(adminClient);
  const latencies = [];
  let next = 0;
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  const one = async () => {
    const i = next++;
    const t = performance.now();
    await decide(devices[i % deviceCount], addresses[i % addresses.length]);
    latencies.push(performance.now() - t);
  };
  if (rate > 0) {
    // Open loop: the i-th rating arrives at i / rate seconds, whether or not earlier ones are answered.
    const inFlight = [];
    while (next < ratings) {
      const due = Math.min(ratings, Math.floor(((performance.now() - started) * rate) / 1000));
      while (next < due) inFlight.push(one());
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await Promise.all(inFlight);
  } else {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < ratings) await one();
      }),
    );
  }
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpu0);
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((latencies.length * p) / 100))];
  const pg1 = await backendCpuMs(adminClient);
  const result = {
    label,
    postgresCpuMsPerRating: pg0 === null || pg1 === null ? null : (pg1 - pg0) / ratings,
    perSecond: Math.round((ratings / wallMs) * 1000),
    nodeCpuMsPerRating: (cpu.user + cpu.system) / 1000 / ratings,
    p50: pct(50),
    p99: pct(99),
  };
  log(
    `${label}: ${result.perSecond}/s, node CPU ${(result.nodeCpuMsPerRating * 1000).toFixed(1)} µs/rating, ` +
      (result.postgresCpuMsPerRating === null ? '' : `PostgreSQL ${(result.postgresCpuMsPerRating * 1000).toFixed(1)} µs/rating, `) +
      `decision p50 ${result.p50.toFixed(2)} ms p99 ${result.p99.toFixed(2)} ms`,
  );
  return result;
}

/** CPU (ms) used so far by the PostgreSQL backends of this bench's pool (Linux /proc, clock ticks of 10 ms). */
async function backendCpuMs(admin) {
  const { rows } = await admin.query(`SELECT pid FROM pg_stat_activity WHERE application_name = $1`, [APP]);
  let ticks = 0;
  for (const { pid } of rows) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
    } catch {
      return null; // the server runs elsewhere: its CPU is not visible here
    }
  }
  return ticks * 10;
}

const name = `bench_limits_${randomBytes(3).toString('hex')}`;
const admin = new pg.Client({ connectionString: baseUrl });
await admin.connect();
const adminClient = admin;
await admin.query(`CREATE DATABASE ${name}`);
const url = new URL(baseUrl);
url.pathname = `/${name}`;
const pool = new pg.Pool({ connectionString: url.toString(), max: poolSize, application_name: APP });
pool.on('error', () => {}); // idle connections ended by the final DROP DATABASE
try {
  await pool.query(`CREATE SCHEMA intake`);
  // The table of apps/intake/src/migrations/1734100000000-SharedLimitsAndSessions.ts, unlogged by 1734100000200.
  await pool.query(
    `CREATE UNLOGGED TABLE intake.rate_limits (key varchar(255) PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint)`,
  );
  const dataSource = { driver: { master: pool }, options: { schema: 'intake' } };
  const limits = {
    failId: sharedLimit(dataSource, { name: 'auth-fail-id', points: 10, windowSeconds: 60, blockInMemory: true }),
    failAddress: sharedLimit(dataSource, { name: 'auth-fail-addr', points: 60, windowSeconds: 60, blockInMemory: true }),
    rate: sharedLimit(dataSource, { name: 'device-rate', points: 1_000_000, windowSeconds: 1, blockInMemory: true }),
    items: sharedLimit(dataSource, { name: 'device-items', points: 1_000_000, windowSeconds: 3600 }),
  };
  const memory = {
    failId: new TokenBuckets({ ratePerSecond: 10 / 60, capacity: 10 }),
    failAddress: new TokenBuckets({ ratePerSecond: 1, capacity: 60 }),
    rate: new TokenBuckets({ ratePerSecond: 1_000_000, capacity: 1_000_000 }),
    items: new TokenBuckets({ ratePerSecond: 1_000_000 / 3600, capacity: 1_000_000 }),
  };
  const inMemory = async (device, address) => {
    if (!memory.failId.check(`device:${device}`).allowed || !memory.failAddress.check(address).allowed) throw new Error('throttled');
    if (!memory.rate.take(device).allowed || !memory.items.take(device, 1).allowed) throw new Error('limited');
  };
  // As intake's guards do on a signed rating: the signature guard checks its memory only and leaves the
  // failure checks to the rate-limit guard, whose one statement checks them and charges the device.
  const shared = async (device, address) => {
    const checks = [
      [limits.failId, `device:${device}`],
      [limits.failAddress, address],
    ];
    for (const [limit, key] of checks) if (limit.blockedDecision(key)) throw new Error('throttled');
    const decided = await SharedLimit.decide(checks, [
      [limits.rate, device, 1],
      [limits.items, device, 1],
    ]);
    if (decided.checked || !decided.charged.every((d) => d.allowed)) throw new Error('limited');
  };
  // A yardstick: one plain keyed read per rating, like the credential lookup intake already makes per rating.
  await pool.query(`CREATE TABLE intake.devices (id uuid PRIMARY KEY, unit_code text NOT NULL)`);
  await pool.query(`INSERT INTO intake.devices SELECT unnest($1::uuid[]), 'CN-01'`, [devices]);
  const oneStatement = async (device) => {
    await pool.query({ name: 'bench-device', text: `SELECT id, unit_code FROM intake.devices WHERE id = $1`, values: [device] });
  };
  // Warm up: JIT, the pool's connections and their prepared statements, the table's first rows.
  await run('warm-up (shared)', shared);
  await run('warm-up (one statement)', oneStatement);
  const before = await run('per-process token buckets (before)', inMemory);
  const yardstick = await run('one plain keyed read (yardstick)', oneStatement);
  const after = await run('shared PostgreSQL store (after)', shared);
  // Exact, or the figures mean nothing: every decision of both shared runs charged one item to its device.
  const { rows: charged } = await pool.query(`SELECT sum(points)::int AS items FROM intake.rate_limits WHERE key LIKE 'device-items:%'`);
  if (charged[0].items !== 2 * ratings) {
    log(`FAILED: the item budgets hold ${charged[0].items} points, not the ${2 * ratings} charged`);
    process.exitCode = 1;
  }
  const pgCpu = after.postgresCpuMsPerRating;
  const added = after.nodeCpuMsPerRating - before.nodeCpuMsPerRating;
  log(
    `added per rating: node ${(added * 1000).toFixed(1)} µs` +
      (pgCpu === null ? '' : `, PostgreSQL backends ${(pgCpu * 1000).toFixed(1)} µs`) +
      `; one plain statement costs node ${(yardstick.nodeCpuMsPerRating * 1000).toFixed(1)} µs here` +
      `; decision latency p99 ${after.p99.toFixed(2)} ms (${ratings} ratings, ${rate > 0 ? `${rate}/s offered` : `${concurrency} in flight`}, ${deviceCount} devices, pool ${poolSize})`,
  );

  // The JWT guard's session check (every service, every console request): a console of 50 people signed in
  // (answers cached 10 s), and the miss, one intake.session_live call, as the first request of a login in 10 s.
  await pool.query(`CREATE TABLE intake.users (id uuid PRIMARY KEY, disabled_at timestamptz, session_version int NOT NULL DEFAULT 0)`);
  await pool.query(`CREATE TABLE intake.refresh_tokens (family_id uuid, user_id uuid, revoked_at timestamptz)`);
  await pool.query(`CREATE INDEX ON intake.refresh_tokens (family_id)`);
  await pool.query(`
    CREATE FUNCTION intake.session_live(p_user uuid, p_family uuid, p_version integer) RETURNS boolean LANGUAGE sql STABLE AS $$
      SELECT EXISTS (SELECT 1 FROM intake.users u WHERE u.id = p_user AND u.disabled_at IS NULL AND u.session_version = p_version)
         AND EXISTS (SELECT 1 FROM intake.refresh_tokens t WHERE t.family_id = p_family AND t.user_id = p_user AND t.revoked_at IS NULL)
    $$`);
  const logins = Array.from({ length: 50 }, () => ({ sub: randomUUID(), sid: randomUUID() }));
  for (const l of logins) {
    await pool.query(`INSERT INTO intake.users (id) VALUES ($1)`, [l.sub]);
    await pool.query(`INSERT INTO intake.refresh_tokens VALUES ($1, $2, NULL)`, [l.sid, l.sub]);
  }
  const sessions = new SessionCheck({ query: async (sql, params) => (await pool.query(sql, params)).rows });
  const cached = await run('session check, 50 logins (cached)', async (_, __) => {
    const l = logins[Math.floor(Math.random() * logins.length)];
    if (!(await sessions.live(l.sub, l.sid, 0))) throw new Error('not live');
  });
  const uncached = await run('session check, a new login each time (miss)', async () => {
    await sessions.live(randomUUID(), randomUUID(), 0);
  });
  log(
    `session check per console request: ${(cached.nodeCpuMsPerRating * 1000).toFixed(1)} µs cached; ` +
      `a miss ${(uncached.nodeCpuMsPerRating * 1000).toFixed(1)} µs node + ${((uncached.postgresCpuMsPerRating ?? 0) * 1000).toFixed(1)} µs PostgreSQL`,
  );
  process.stdout.write(
    `${JSON.stringify({ before, after, yardstick, sessionCached: cached, sessionMiss: uncached, addedNodeCpuMsPerRating: added, postgresCpuMsPerRating: pgCpu })}\n`,
  );
} finally {
  await pool.end();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
