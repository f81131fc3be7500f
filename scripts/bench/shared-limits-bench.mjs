// npm run bench:limits — what the shared limits add to each rating (BENCHMARKS.md § Shared limits).
//
// Drives intake's own rating writer (RatingWriter → RatingsRepository.writeGroup, the group commit of
// POST /ratings) on a scratch database migrated with intake's migrations, with the limits a signed PAD
// rating carries: the failed-signature counters of its id and address checked, a point of the device's
// request limit and one of its hourly item budget charged. Three ways, interleaved over two rounds:
//   - write only: no limits at all (the floor);
//   - limits in the write: the decision prepared as the rate-limit guard prepares it and made inside the
//     rating's own statement (write_pad_ratings_limited) — what intake does now;
//   - limits in their own statement: SharedLimit.decide (one grouped statement of decisions), then the
//     write — what intake did before.
// Reports per rating the Node CPU of this process (intake's share), the PostgreSQL backends' CPU and the
// latency of decision + write; "added" = limits in the write − write only.
//
// Ratings arrive open-loop at BENCH_RATE a second (default 1200, about the whole system's sustained rate on
// the 2-core machine), so groups form as they do in intake. BENCH_RATE=0 runs closed-loop instead,
// BENCH_CONCURRENCY at a time.
//
// Env: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres; a scratch database is
//      created and dropped), BENCH_RATINGS (default 20000 per phase), BENCH_RATE (default 1200), BENCH_CONCURRENCY
//      (default 64, closed loop only), BENCH_DEVICES (default 8400), DB_POOL_SIZE (default 12, as the bench runs intake).
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { SharedLimit, sharedLimit, migrateServiceSchema, serviceDataSourceOptions } from '../../dist/libs/database/src/index.js';
import { SessionCheck } from '../../dist/libs/auth/src/session-check.js';
import { INTAKE_SCHEMA } from '../../dist/apps/intake/src/data-source.js';
import { RatingsRepository } from '../../dist/apps/intake/src/ratings/ratings.repository.js';
import { RatingWriter } from '../../dist/apps/intake/src/ratings/rating-writer.js';

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
const options = serviceDataSourceOptions(INTAKE_SCHEMA, url.toString(), poolSize);
// Connections kept for the whole run: the CPU of a backend that ends is no longer readable from /proc.
const dataSource = new DataSource({ ...options, extra: { ...options.extra, application_name: APP, idleTimeoutMillis: 0 } });
await dataSource.initialize();
const pool = dataSource.driver.master;
pool.on('error', () => {}); // idle connections ended by the final DROP DATABASE
try {
  await migrateServiceSchema(dataSource, 'intake');
  const limits = {
    failId: sharedLimit(dataSource, { name: 'auth-fail-id', points: 10, windowSeconds: 60, blockInMemory: true }),
    failAddress: sharedLimit(dataSource, { name: 'auth-fail-addr', points: 60, windowSeconds: 60, blockInMemory: true }),
    rate: sharedLimit(dataSource, { name: 'device-rate', points: 1_000_000, windowSeconds: 1, blockInMemory: true }),
    items: sharedLimit(dataSource, { name: 'device-items', points: 1_000_000, windowSeconds: 3600 }),
  };
  const repository = new RatingsRepository(dataSource, { notifyAdded() {} });
  const writer = new RatingWriter(repository, {
    INTAKE_WRITE_LANES: 1,
    INTAKE_BATCH_LANES: 2,
    INTAKE_WRITE_GROUP: 1000,
  });
  let seq = 0;
  /** A rating as RatingsService.prepare makes it for a PAD of `device` (no phone: the write is what is measured). */
  const rating = (device) => {
    const now = new Date();
    return {
      id: randomUUID(),
      unitCode: 'CN-01',
      unitName: '区政务服务中心',
      channel: 'PAD',
      stage: 'COMPLETION',
      deviceId: device,
      platformClientId: null,
      burstKey: device,
      windowNo: 'W1',
      serviceRecordId: `BENCH-${++seq}`,
      serviceItemCode: 'ITEM-1',
      serviceItemName: null,
      staffId: null,
      level: 5,
      grade: 'GOOD',
      tags: [],
      comment: null,
      contact: { sealed: null, maskedName: null, maskedPhone: null },
      ratedAt: new Date(now.getTime() - 30_000),
      receivedAt: now,
      bodyHash: randomBytes(16).toString('hex'),
      live: true,
    };
  };
  // As the signature guard and the rate-limit guard leave them for a signed single rating.
  const decision = (device, address) => [
    [
      [limits.failId, `device:${device}`],
      [limits.failAddress, address],
    ],
    [
      [limits.rate, device, 1],
      [limits.items, device, 1, true],
    ],
  ];
  const writeOnly = async (device) => {
    const outcome = await writer.write(rating(device));
    if (outcome.kind !== 'created') throw new Error(`not created: ${outcome.kind}`);
  };
  const inTheWrite = async (device, address) => {
    const prepared = SharedLimit.prepare(...decision(device, address));
    if (!prepared.wire) throw new Error('limited from memory');
    const outcome = await writer.write({ ...rating(device), limits: prepared });
    if (outcome.kind !== 'created') throw new Error(`not created: ${outcome.kind}`);
  };
  const ownStatement = async (device, address) => {
    const decided = await SharedLimit.decide(...decision(device, address));
    if (decided.checked || !decided.charged.every((d) => d.allowed)) throw new Error('limited');
    const outcome = await writer.write(rating(device));
    if (outcome.kind !== 'created') throw new Error(`not created: ${outcome.kind}`);
  };
  // Warm up: JIT, the pool's connections and their prepared statements, the tables' first rows.
  await run('warm-up (limits in the write)', inTheWrite);
  await run('warm-up (own statement)', ownStatement);
  await run('warm-up (write only)', writeOnly);
  const rounds = [];
  for (let round = 1; round <= 2; round++) {
    rounds.push({
      writeOnly: await run(`round ${round}: write only`, writeOnly),
      inTheWrite: await run(`round ${round}: limits in the write`, inTheWrite),
      ownStatement: await run(`round ${round}: limits in their own statement`, ownStatement),
    });
  }
  // Groups of a fixed size, one after another (what a group of that size costs PostgreSQL and how long it takes,
  // whatever the arrival pattern): write only, then with each rating's limits in the write.
  const groups = [];
  for (const size of [4, 100, 500]) {
    const calls = Math.max(4, Math.round(2000 / size));
    const measureGroups = async (withLimits) => {
      const make = () =>
        Array.from({ length: size }, () => {
          const device = devices[Math.floor(Math.random() * deviceCount)];
          const row = rating(device);
          return withLimits ? { ...row, limits: SharedLimit.prepare(...decision(device, addresses[seq & 63])) } : row;
        });
      await repository.writeGroup(make());
      const pg0 = await backendCpuMs(adminClient);
      const started = performance.now();
      for (let i = 0; i < calls; i++) await repository.writeGroup(make());
      const wallMs = (performance.now() - started) / calls;
      const pg1 = await backendCpuMs(adminClient);
      return { postgresUsPerRating: pg0 === null || pg1 === null ? null : ((pg1 - pg0) * 1000) / (calls * size), msPerGroup: wallMs };
    };
    const row = { size, writeOnly: await measureGroups(false), inTheWrite: await measureGroups(true) };
    groups.push(row);
    log(
      `groups of ${size}, one after another: write only ${row.writeOnly.postgresUsPerRating?.toFixed(0)} µs PostgreSQL a rating, ` +
        `${row.writeOnly.msPerGroup.toFixed(2)} ms a group; limits in the write ${row.inTheWrite.postgresUsPerRating?.toFixed(0)} µs, ` +
        `${row.inTheWrite.msPerGroup.toFixed(2)} ms`,
    );
  }
  const groupsWritten = groups.reduce((n, g) => n + 2 * (Math.max(4, Math.round(2000 / g.size)) + 1) * g.size, 0);
  const groupsCharged = groups.reduce((n, g) => n + (Math.max(4, Math.round(2000 / g.size)) + 1) * g.size, 0);

  // Exact, or the figures mean nothing: every rating of the limited runs charged one item to its device, and
  // every rating of every run was stored once.
  const { rows: charged } = await pool.query(`SELECT sum(points)::int AS items FROM intake.rate_limits WHERE key LIKE 'device-items:%'`);
  const { rows: stored } = await pool.query(`SELECT count(*)::int AS n FROM intake.reviews`);
  if (charged[0].items !== 2 * ratings * (rounds.length + 1) + groupsCharged) {
    log(`FAILED: the item budgets hold ${charged[0].items} points, not the ${2 * ratings * (rounds.length + 1) + groupsCharged} charged`);
    process.exitCode = 1;
  }
  if (stored[0].n !== 3 * ratings * (rounds.length + 1) + groupsWritten) {
    log(`FAILED: ${stored[0].n} ratings stored, not ${3 * ratings * (rounds.length + 1) + groupsWritten}`);
    process.exitCode = 1;
  }
  // What the limits in the write add to intake's own work, measured alone (a tight loop, so a loaded machine
  // moves it little): the decision prepared as the guard prepares it, encoded with the group's other
  // parameters (JSON.stringify of the wire form), and read back when the write answers no refusal.
  const loops = 200_000;
  const sample = Array.from({ length: 1024 }, (_, i) => devices[i]);
  const cpuBefore = process.cpuUsage();
  let encoded = 0;
  for (let i = 0; i < loops; i++) {
    const device = sample[i & 1023];
    const prepared = SharedLimit.prepare(...decision(device, addresses[i & 63]));
    encoded += JSON.stringify(prepared.wire).length;
    prepared.settle([]);
  }
  const spent = process.cpuUsage(cpuBefore);
  const inWriteNodeMsPerRating = (spent.user + spent.system) / 1000 / loops;
  log(
    `node work of the limits in the write, alone: ${(inWriteNodeMsPerRating * 1000).toFixed(2)} µs per rating (${loops} decisions, ${encoded} bytes encoded)`,
  );
  const mean = (pick) => rounds.reduce((sum, r) => sum + pick(r), 0) / rounds.length;
  const added = {
    nodeCpuMsPerRating: mean((r) => r.inTheWrite.nodeCpuMsPerRating - r.writeOnly.nodeCpuMsPerRating),
    postgresCpuMsPerRating: mean((r) => (r.inTheWrite.postgresCpuMsPerRating ?? 0) - (r.writeOnly.postgresCpuMsPerRating ?? 0)),
    p99Ms: mean((r) => r.inTheWrite.p99 - r.writeOnly.p99),
  };
  const addedBefore = {
    nodeCpuMsPerRating: mean((r) => r.ownStatement.nodeCpuMsPerRating - r.writeOnly.nodeCpuMsPerRating),
    postgresCpuMsPerRating: mean((r) => (r.ownStatement.postgresCpuMsPerRating ?? 0) - (r.writeOnly.postgresCpuMsPerRating ?? 0)),
    p99Ms: mean((r) => r.ownStatement.p99 - r.writeOnly.p99),
  };
  const us = (ms) => `${(ms * 1000).toFixed(1)} µs`;
  log(
    `added per rating, limits in the write: node ${us(added.nodeCpuMsPerRating)}, PostgreSQL ${us(added.postgresCpuMsPerRating)}, ` +
      `p99 ${added.p99Ms.toFixed(2)} ms; in their own statement: node ${us(addedBefore.nodeCpuMsPerRating)}, ` +
      `PostgreSQL ${us(addedBefore.postgresCpuMsPerRating)}, p99 ${addedBefore.p99Ms.toFixed(2)} ms ` +
      `(${ratings} ratings a run, ${rate > 0 ? `${rate}/s offered` : `${concurrency} in flight`}, ${deviceCount} devices, pool ${poolSize})`,
  );

  // The JWT guard's session check (every service, every console request): a console of 50 people signed in
  // (answers cached 10 s), and the miss, one intake.session_live call, as the first request of a login in 10 s.
  const logins = Array.from({ length: 50 }, (_, i) => ({ sub: randomUUID(), sid: randomUUID(), username: `bench-${i}` }));
  for (const l of logins) {
    await pool.query(`INSERT INTO intake.users (id, username, display_name, role, password_hash) VALUES ($1, $2, $2, 'supervisor', 'x')`, [
      l.sub,
      l.username,
    ]);
    await pool.query(
      `INSERT INTO intake.refresh_tokens (user_id, family_id, token_hash, expires_at) VALUES ($1, $2, $3, now() + interval '1 day')`,
      [l.sub, l.sid, randomBytes(16).toString('hex')],
    );
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
  process.stdout.write(`${JSON.stringify({ rounds, added, addedBefore, sessionCached: cached, sessionMiss: uncached })}\n`);
} finally {
  await dataSource.destroy();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
