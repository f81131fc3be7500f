// The back half of the pipeline: how fast the consumers drain a backlog and keep up with intake.
// `npm run bench:pipeline` (builds first). Each scenario uses a fresh database on BENCH_DATABASE_URL's
// server (default postgres://postgres@127.0.0.1:5432/postgres) and the built services (dist/), on the
// embedded event bus, or on real Kafka when KAFKA_BROKERS is set. Scenarios (BENCH_SCENARIOS, comma-
// separated, default all):
//   stats-drain  N (BENCH_EVENTS, default 200,000) gov.review.submitted events (5 % bad) queued before
//                statistics starts; events/s until every one is in its inbox.
//   rect-drain   the same for rectification with 2 % bad events (BENCH_BAD_SHARE); events/s until its
//                consumer group has read them all and every bad one has its case.
//   e2e          BENCH_RATINGS (default 100,000) ratings through POST /api/v1/ratings/batch (500 each,
//                BENCH_BATCH_CONNECTIONS parallel), then the time until GET /reports/quarterly counts all.
//                Embedded: all three services in one process (npm start's all-in-one); Kafka: three processes.
//   sustained    BENCH_RATE (default 3,000) single ratings/s for BENCH_DURATION (default 60) s; every 2 s
//                the lag of each consumer group (and intake's unpublished outbox rows).
//   sustained-events  BENCH_RATE review events/s (2 % bad) appended straight to reviews.submitted for
//                BENCH_DURATION s while statistics and rectification consume: the consumers' lag every 2 s.
import { randomBytes, randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import autocannon from 'autocannon';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { ARRIVAL_BURST_MAX_RATINGS, ARRIVAL_BURST_WINDOW_SECONDS } from '../../dist/apps/intake/src/ratings/rating-rules.js';
import { Events } from '../../dist/libs/contracts/src/index.js';
import { freshDatabase, jwt, serviceNodeFlags, setUpFleet, signed, UNITS, waitForHealth } from './intake-client.mjs';

const baseDbUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);
const transport = brokers.length ? 'kafka' : 'embedded';
const scenarios = (process.env.BENCH_SCENARIOS ?? 'stats-drain,rect-drain,e2e,sustained,sustained-events').split(',');
const N = Number(process.env.BENCH_EVENTS ?? 200_000);
const BAD_SHARE = Number(process.env.BENCH_BAD_SHARE ?? 0.02);
const RATINGS = Number(process.env.BENCH_RATINGS ?? 100_000);
const BATCH_CONNECTIONS = Number(process.env.BENCH_BATCH_CONNECTIONS ?? 4);
const RATE = Number(process.env.BENCH_RATE ?? 3_000);
const DURATION = Number(process.env.BENCH_DURATION ?? 60);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
/**
 * Node flags per service: BENCH_NODE_ARGS_<SERVICE> (e.g. BENCH_NODE_ARGS_INTAKE) or BENCH_NODE_ARGS for all if set
 * (e.g. --cpu-prof), else each one's `npm run start:<service>` flags.
 */
const nodeArgsOf = (service) => {
  const flags = process.env[`BENCH_NODE_ARGS_${service.toUpperCase()}`] ?? process.env.BENCH_NODE_ARGS;
  return flags ? flags.split(' ').filter(Boolean) : serviceNodeFlags(service);
};
const jwtSecret = randomBytes(32).toString('hex');
const metricsToken = `bench-metrics-${randomBytes(12).toString('hex')}`;
const ports = { intake: 3291, rectification: 3292, statistics: 3293 };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (line) => process.stderr.write(`[pipeline-bench] ${line}\n`);
const results = [];
/** Every service process still running: ended when the bench ends, however it ends. */
const started = new Set();
process.on('exit', () => {
  for (const child of started) child.kill('SIGTERM');
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

function env(url) {
  const e = {
    ...process.env,
    DATABASE_URL: url,
    JWT_SECRET: jwtSecret,
    METRICS_TOKEN: metricsToken,
    DATA_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    INTAKE_PORT: String(ports.intake),
    RECTIFICATION_PORT: String(ports.rectification),
    STATISTICS_PORT: String(ports.statistics),
    LOG_LEVEL: 'warn',
    INTAKE_DEVICE_RATE: '100000',
    INTAKE_DEVICE_BURST: '100000',
  };
  if (!brokers.length) delete e.KAFKA_BROKERS;
  return e;
}

function start(service, url, extraArgs = []) {
  const main = service === 'all-in-one' ? 'dist/apps/all-in-one/src/main.js' : `dist/apps/${service}/src/main.js`;
  const child = spawn(process.execPath, [...(service === 'all-in-one' ? [] : nodeArgsOf(service)), ...extraArgs, main], {
    env: env(url),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  child.exited = new Promise((r) => child.once('exit', r));
  started.add(child);
  void child.exited.then(() => started.delete(child));
  return child;
}
async function stop(child) {
  child.kill('SIGTERM');
  await child.exited;
}
const healthOf = (service) => `http://127.0.0.1:${ports[service]}`;

/** CPU seconds (user + system) a process has used, from /proc (Linux). */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/**
 * CPU seconds used so far by each part of the system (Linux /proc): each of `services`' processes, PostgreSQL's
 * processes, the JVM's (the Kafka broker) and this bench's (the load generator).
 */
function cpuParts(services) {
  const parts = { postgres: 0, ...(brokers.length ? { kafkaBroker: 0 } : {}) };
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let comm;
    try {
      comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      continue; // ended meanwhile
    }
    if (comm === 'postgres') parts.postgres += cpuSeconds(pid) ?? 0;
    else if (comm === 'java' && brokers.length) parts.kafkaBroker += cpuSeconds(pid) ?? 0;
  }
  for (const [name, child] of Object.entries(services)) parts[name] = cpuSeconds(child.pid) ?? 0;
  const own = process.cpuUsage();
  parts.bench = (own.user + own.system) / 1e6;
  return parts;
}

/** Cores each part used on average between two `cpuParts` readings `seconds` apart. */
function coresUsed(before, after, seconds) {
  return Object.fromEntries(Object.keys(after).map((k) => [k, Number(((after[k] - (before[k] ?? 0)) / seconds).toFixed(2))]));
}

/** The highest resident set a process has had, in MiB (VmHWM, from /proc; Linux). */
function peakRssMiB(pid) {
  try {
    const kib = Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    return Math.round(kib / 1024);
  } catch {
    return null;
  }
}

async function dropDatabase(name) {
  const admin = new pg.Client({ connectionString: baseDbUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
}

/** The i-th review event of the backlog, built with the contract's factory (dist/libs/contracts). */
function reviewEvent(i, bad) {
  const t = new Date(Date.parse('2026-11-02T09:00:00+08:00') + i * 1000).toISOString();
  const level = bad ? 1 + (i % 2) : 5 - (i % 7 === 0 ? 1 : 0);
  return Events.reviewSubmitted(
    {
      reviewId: randomUUID(),
      unitCode: UNITS[i % UNITS.length].code,
      unitName: UNITS[i % UNITS.length].name,
      channel: 'PAD',
      level,
      grade: bad ? 'BAD' : 'GOOD',
      tags: bad ? ['EFFICIENCY'] : [],
      serviceItemCode: `310105-XK-000${i % 8}`,
      serviceItemName: '食品经营许可',
      serviceRecordId: `R-${i}`,
      windowNo: `W${String(1 + (i % 40)).padStart(2, '0')}`,
      staffId: `E${1000 + (i % 40)}`,
      comment: bad ? '等了很久' : null,
      ratedAt: t,
      receivedAt: t,
      suspect: false,
      suspectReason: null,
      ticketId: null,
      hotlineClientId: null,
      category: null,
      dueAt: null,
      contact: { maskedName: bad ? '张*' : null, maskedPhone: bad ? '138****8000' : null, sealed: null },
    },
    { time: new Date(t) },
  );
}

/** Appends events to reviews.submitted: bus rows on the embedded bus, or Kafka messages (acks from all replicas). */
async function appendEvents(sql, producer, events) {
  if (producer) {
    for (let k = 0; k < events.length; k += 2_000) {
      await producer.send({
        topic: 'reviews.submitted',
        acks: -1,
        messages: events.slice(k, k + 2_000).map((e) => ({
          key: e.data.unitCode,
          value: JSON.stringify(e),
          headers: { 'content-type': 'application/cloudevents+json' },
        })),
      });
    }
  } else {
    await sql.query(
      `INSERT INTO event_bus.events (topic, message_key, event_id, value)
       SELECT 'reviews.submitted', v->'data'->>'unitCode', v->>'id', v FROM jsonb_array_elements($1::jsonb) v`,
      [JSON.stringify(events)],
    );
  }
}

const benchProducer = async () => {
  if (!brokers.length) return null;
  const producer = new Kafka({ clientId: 'pipeline-bench', brokers, logLevel: logLevel.WARN }).producer();
  await producer.connect();
  return producer;
};

/** Queues `count` review events: into the embedded bus, or onto the Kafka topic past the group's committed offsets. */
async function queueEvents(sql, count, badEvery) {
  let bad = 0;
  const chunk = 10_000;
  const producer = await benchProducer();
  for (let from = 0; from < count; from += chunk) {
    const events = [];
    for (let i = from; i < Math.min(count, from + chunk); i++) {
      const isBad = i % badEvery === 0;
      if (isBad) bad += 1;
      events.push(reviewEvent(i, isBad));
    }
    await appendEvents(sql, producer, events);
  }
  await producer?.disconnect();
  return bad;
}

/** Kafka: moves a group's offsets to the end of its topics (so only what is queued next is measured). */
async function skipToEnd(groupId, topics) {
  if (!brokers.length) return;
  const admin = new Kafka({ clientId: 'pipeline-bench-admin', brokers, logLevel: logLevel.WARN }).admin();
  await admin.connect();
  // Explicit offsets: a reset to "latest" is stored as -1, which the consumer reads as "none" (and starts from the beginning).
  for (const topic of topics) {
    const partitions = (await admin.fetchTopicOffsets(topic)).map((p) => ({ partition: p.partition, offset: p.high }));
    await admin.setOffsets({ groupId, topic, partitions });
  }
  await admin.disconnect();
}

/** The topics each consumer group reads (its handlers' topics). */
const GROUP_TOPICS = {
  rectification: ['reviews.submitted', 'unresolved.reported', 'registry.hotline-clients'],
  statistics: ['reviews.submitted', 'cases.lifecycle', 'unresolved.reported'],
};

/** The embedded bus group's committed position (0 before its first commit). */
async function groupOffset(sql, groupId) {
  const { rows } = await sql.query(`SELECT last_seq::text AS seq FROM event_bus.group_offsets WHERE group_id = $1`, [groupId]);
  return BigInt(rows[0]?.seq ?? 0);
}

/** Events not yet read by each consumer group: Kafka log-end − committed offset; embedded: events past the group's offset. */
async function lags(sql, admin, groups) {
  const out = {};
  if (admin) {
    // Committed offsets first, log ends after: a commit between the two reads cannot make a lag negative.
    const committedOf = new Map();
    for (const groupId of groups) committedOf.set(groupId, await admin.fetchOffsets({ groupId, topics: GROUP_TOPICS[groupId] }));
    const ends = new Map();
    for (const topic of new Set(groups.flatMap((g) => GROUP_TOPICS[g]))) ends.set(topic, await admin.fetchTopicOffsets(topic));
    for (const groupId of groups) {
      const committed = committedOf.get(groupId);
      let lag = 0;
      for (const { topic, partitions } of committed) {
        for (const p of partitions) {
          const high = Number(ends.get(topic).find((e) => e.partition === p.partition).high);
          lag += high - Math.max(0, Number(p.offset));
        }
      }
      out[groupId] = lag;
    }
  } else {
    for (const groupId of groups) {
      const { rows } = await sql.query(
        `SELECT count(*)::int AS lag FROM event_bus.events e
         WHERE e.topic = ANY($2) AND e.seq > coalesce((SELECT last_seq FROM event_bus.group_offsets WHERE group_id = $1), 0)`,
        [groupId, GROUP_TOPICS[groupId]],
      );
      out[groupId] = rows[0].lag;
    }
  }
  return out;
}

async function drain(service) {
  const db = await freshDatabase(baseDbUrl, `pipe_${service}`);
  const sql = new pg.Client({ connectionString: db.url });
  try {
    // The first start only migrates the fresh database: from the end of the topics, so that what an earlier run
    // left unacknowledged (a batch applied but not yet committed when it stopped) is not applied here.
    await skipToEnd(service, GROUP_TOPICS[service]);
    let child = start(service, db.url);
    await waitForHealth(healthOf(service));
    await stop(child);
    await sql.connect();
    const badEvery = service === 'statistics' ? 20 : Math.round(1 / BAD_SHARE);
    await skipToEnd(service, GROUP_TOPICS[service]);
    const loadBefore = os.loadavg()[0];
    const bad = await queueEvents(sql, N, badEvery);
    log(`${service}: ${N} events queued (${bad} bad) on ${transport}; starting the service`);
    const t0 = Date.now();
    child = start(service, db.url);
    const admin = brokers.length ? new Kafka({ clientId: 'pipeline-bench-lag', brokers, logLevel: logLevel.WARN }).admin() : null;
    await admin?.connect();
    // Progress is read where it is cheap (the group's committed position: the embedded bus's group offset row,
    // Kafka's committed offsets), not by counting the service's tables while it works: a count(*) every 100 ms
    // took a sizeable share of PostgreSQL's CPU from the consumer being measured. The tables are checked once, at the end.
    const queuedTo = admin ? null : (await sql.query(`SELECT max(seq)::text AS seq FROM event_bus.events`)).rows[0].seq;
    const startedFrom = admin ? null : await groupOffset(sql, service);
    let firstAt = null;
    const done = async () => {
      if (admin) {
        const lag = (await lags(sql, admin, [service]))[service];
        if (lag < N) firstAt ??= Date.now();
        return lag === 0;
      }
      const at = await groupOffset(sql, service);
      if (at > startedFrom) firstAt ??= Date.now();
      return at >= BigInt(queuedTo);
    };
    let cpuAtFirst = null;
    while (!(await done())) {
      if (firstAt && cpuAtFirst === null) cpuAtFirst = cpuSeconds(child.pid);
      await sleep(100);
    }
    const cpuUsed = cpuSeconds(child.pid) - (cpuAtFirst ?? 0);
    const peakRss = peakRssMiB(child.pid);
    const seconds = (Date.now() - t0) / 1000;
    const steady = firstAt ? (Date.now() - firstAt) / 1000 : seconds;
    await admin?.disconnect();
    await stop(child);
    const result = {
      scenario: `${service} drain`,
      transport,
      events: N,
      bad,
      secondsFromStart: seconds,
      eventsPerSecondFromStart: Math.round(N / seconds),
      secondsFromFirstApplied: steady,
      eventsPerSecond: Math.round(N / steady),
      // The service's own CPU per event while draining (PostgreSQL's is not in it): its ceiling on one core.
      serviceCpuMsPerEvent: Number(((cpuUsed * 1000) / N).toFixed(3)),
      servicePeakRssMiB: peakRss,
      loadBefore: Number(loadBefore.toFixed(1)),
    };
    if (service === 'statistics') {
      const [r] = (await sql.query(`SELECT sum(reviews)::int AS reviews FROM statistics.review_rollups`)).rows;
      const [inbox] = (await sql.query(`SELECT count(*)::int AS n FROM statistics.processed_events`)).rows;
      if (inbox.n < N) throw new Error(`statistics drained its group but its inbox holds ${inbox.n} of ${N} events`);
      result.rollupReviews = r.reviews;
    } else {
      const [{ n }] = (await sql.query(`SELECT count(*)::int AS n FROM rectification.cases`)).rows;
      if (n < bad) throw new Error(`rectification drained its group but opened ${n} of ${bad} cases`);
      result.cases = n;
    }
    return result;
  } finally {
    await sql.end().catch(() => undefined);
    await dropDatabase(db.name);
  }
}

/** Where intake's relay spent its time: outbox_relay_phase_seconds sums (s) and counts per phase, from /metrics. */
async function relayPhases() {
  const text = await (await fetch(`${healthOf('intake')}/metrics`, { headers: { Authorization: `Bearer ${metricsToken}` } })).text();
  const out = {};
  for (const m of text.matchAll(/^outbox_relay_phase_seconds_(sum|count)\{phase="(\w+)"\} ([\d.e+-]+)$/gm)) {
    out[m[2]] ??= {};
    out[m[2]][m[1] === 'sum' ? 'seconds' : 'passes'] = Number(Number(m[3]).toFixed(3));
  }
  return out;
}

/** Starts intake, rectification and statistics (one process on the embedded bus, three on Kafka). */
async function startSystem(url) {
  const children = brokers.length ? ['intake', 'rectification', 'statistics'].map((s) => start(s, url)) : [start('all-in-one', url)];
  for (const s of ['intake', 'rectification', 'statistics']) await waitForHealth(healthOf(s), 120_000);
  if (brokers.length) {
    for (const child of children.slice(1)) await stop(child);
    await skipToEnd('rectification', GROUP_TOPICS.rectification);
    await skipToEnd('statistics', GROUP_TOPICS.statistics);
    children[1] = start('rectification', url);
    children[2] = start('statistics', url);
    for (const s of ['rectification', 'statistics']) await waitForHealth(healthOf(s), 120_000);
  }
  return children;
}

function ratingFactory(devices) {
  const base = Date.now() - 10 * 24 * 3600 * 1000;
  const perDevice = new Map(devices.map((d) => [d.id, 0]));
  const runId = randomBytes(3).toString('hex');
  let seq = 0;
  return (device) => {
    const k = perDevice.get(device.id);
    perDevice.set(device.id, k + 1);
    seq += 1;
    const level = seq % 50 === 0 ? 1 + (seq % 2) : 5 - (seq % 7 === 0 ? 1 : 0);
    return {
      serviceRecordId: `P-${runId}-${seq}`,
      serviceItemCode: '310105-XK-0001',
      serviceItemName: '食品经营许可',
      staffId: `E${1000 + (seq % 40)}`,
      level,
      ...(level <= 2 ? { tags: ['EFFICIENCY'], comment: '等了很久' } : {}),
      // 2.1 s apart per device: never a 刷评 burst, every rating counts.
      ratedAt: new Date(base + k * 2100).toISOString(),
    };
  };
}

const shanghaiQuarter = (ms) => {
  const d = new Date(ms + 8 * 3600 * 1000);
  return { year: d.getUTCFullYear(), quarter: Math.floor(d.getUTCMonth() / 3) + 1 };
};

async function reportedTotal(token) {
  const { year, quarter } = shanghaiQuarter(Date.now() - 10 * 24 * 3600 * 1000);
  const res = await fetch(`${healthOf('statistics')}/api/v1/reports/quarterly?year=${year}&quarter=${quarter}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (res.status !== 200) return -1;
  const body = await res.json();
  return body.reviews.total;
}

async function endToEnd() {
  const db = await freshDatabase(baseDbUrl, 'pipe_e2e');
  const children = await startSystem(db.url);
  try {
    const { devices } = await setUpFleet(healthOf('intake'), jwtSecret, { units: UNITS, devicesPerUnit: 50 });
    const next = ratingFactory(devices);
    const bodies = [];
    for (let b = 0; b < RATINGS / 500; b++) {
      const device = devices[b % devices.length];
      bodies.push({ device, body: JSON.stringify({ ratings: Array.from({ length: 500 }, () => next(device)) }) });
    }
    const supervisor = jwt(jwtSecret, 'supervisor');
    const loadBefore = os.loadavg()[0];
    log(`e2e on ${transport}: ${RATINGS} ratings in ${bodies.length} batches, ${BATCH_CONNECTIONS} connections`);
    const t0 = Date.now();
    let accepted = 0;
    let index = 0;
    await Promise.all(
      Array.from({ length: BATCH_CONNECTIONS }, async () => {
        while (index < bodies.length) {
          const { device, body } = bodies[index++];
          const res = await fetch(`${healthOf('intake')}/api/v1/ratings/batch`, {
            method: 'POST',
            headers: signed('x-device-id', device.id, device.secret, 'POST', '/api/v1/ratings/batch', body),
            body,
          });
          const out = await res.json();
          if (res.status !== 200 && res.status !== 207 && res.status !== 201)
            throw new Error(`batch: ${res.status} ${JSON.stringify(out)}`);
          accepted += out.results.filter((r) => r.status === 'created').length;
        }
      }),
    );
    const acceptSeconds = (Date.now() - t0) / 1000;
    log(`accepted ${accepted} in ${acceptSeconds} s; waiting for the quarterly report`);
    let total = 0;
    while ((total = await reportedTotal(supervisor)) < accepted) {
      if (Date.now() - t0 > 900_000) throw new Error(`report counts ${total} of ${accepted} after 900 s`);
      await sleep(250);
    }
    const reportSeconds = (Date.now() - t0) / 1000;
    const relay = await relayPhases();
    return {
      relay,
      scenario: 'end to end (batch endpoint)',
      transport,
      ratings: accepted,
      acceptSeconds,
      acceptedPerSecond: Math.round(accepted / acceptSeconds),
      reportCountsAllAfterSeconds: reportSeconds,
      bound: Number((1.5 * acceptSeconds + 10).toFixed(1)),
      met: reportSeconds <= 1.5 * acceptSeconds + 10,
      loadBefore: Number(loadBefore.toFixed(1)),
    };
  } finally {
    for (const child of children) await stop(child);
    await dropDatabase(db.name);
  }
}

/** The highest lag of each consumer group in the first and in the last third of the load (samples every 2 s). */
function lagPeaks(samples) {
  const during = samples.filter((s) => s.t <= DURATION);
  const third = Math.max(1, Math.floor(during.length / 3));
  const peak = (list, key) => Math.max(0, ...list.map((s) => s[key] ?? 0));
  const peaks = (list) => ({ statistics: peak(list, 'statistics'), rectification: peak(list, 'rectification') });
  return { peakLagFirstThird: peaks(during.slice(0, third)), peakLagLastThird: peaks(during.slice(-third)) };
}

/** What is still waiting: each consumer group's lag, and intake's unpublished outbox rows when `outbox`. */
async function waiting(sql, admin, { outbox }) {
  const lag = await lags(sql, admin, ['rectification', 'statistics']);
  if (!outbox) return lag;
  const [{ n }] = (await sql.query(`SELECT count(*)::int AS n FROM intake.outbox WHERE published_at IS NULL`)).rows;
  return { outbox: n, ...lag };
}

/** Seconds from `from` until nothing is waiting (polled every 200 ms; gives up after 300 s). */
async function secondsToCatchUp(sql, admin, from, { outbox }) {
  while (Date.now() - from <= 300_000) {
    if (Object.values(await waiting(sql, admin, { outbox })).every((v) => v === 0)) break;
    await sleep(200);
  }
  return (Date.now() - from) / 1000;
}

/** Samples what is waiting (`waiting`) every 2 s until stopped. */
function lagSampler(sql, admin, t0, { outbox }) {
  const samples = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const now = await waiting(sql, admin, { outbox });
      samples.push({ t: Math.round((Date.now() - t0) / 1000), ...now });
      await sleep(2_000);
    }
  })();
  return {
    samples,
    stop: async () => {
      running = false;
      await done;
    },
  };
}

/**
 * BENCH_RATE review events/s (2 % bad) appended to reviews.submitted for BENCH_DURATION s, in 100 ms ticks, while
 * statistics and rectification consume (each its own process): the consumers' side of a sustained load, without
 * intake's HTTP path and the load generator on the same two cores.
 */
async function sustainedEvents() {
  const db = await freshDatabase(baseDbUrl, 'pipe_sustained_events');
  const sql = new pg.Client({ connectionString: db.url });
  const children = [];
  const admin = brokers.length ? new Kafka({ clientId: 'pipeline-bench-lag', brokers, logLevel: logLevel.WARN }).admin() : null;
  try {
    for (const service of ['statistics', 'rectification']) await skipToEnd(service, GROUP_TOPICS[service]);
    for (const service of ['statistics', 'rectification']) children.push(start(service, db.url));
    for (const service of ['statistics', 'rectification']) await waitForHealth(healthOf(service), 120_000);
    await sql.connect();
    await admin?.connect();
    const producer = await benchProducer();
    const badEvery = Math.round(1 / BAD_SHARE);
    log(`sustained events on ${transport}: ${RATE} review events/s for ${DURATION} s`);
    const loadBefore = os.loadavg()[0];
    const services = { statistics: children[0], rectification: children[1] };
    const cpuBefore = cpuParts(services);
    const t0 = Date.now();
    const sampler = lagSampler(sql, admin, t0, { outbox: false });
    const total = RATE * DURATION;
    let sent = 0;
    let bad = 0;
    let appendMs = 0;
    while (sent < total) {
      // As many as are due by now (a slow tick is made up by the next), at most the run's total.
      const due = Math.min(total, Math.floor(((Date.now() - t0) * RATE) / 1000));
      const events = [];
      for (; sent < due; sent++) {
        const isBad = sent % badEvery === 0;
        if (isBad) bad += 1;
        events.push(reviewEvent(sent, isBad));
      }
      const a = Date.now();
      if (events.length) await appendEvents(sql, producer, events);
      appendMs += Date.now() - a;
      await sleep(Math.max(0, 100 - (Date.now() - a)));
    }
    const loadSeconds = (Date.now() - t0) / 1000;
    const cpuCoresDuringLoad = coresUsed(cpuBefore, cpuParts(services), loadSeconds);
    const caughtUpAfter = await secondsToCatchUp(sql, admin, Date.now(), { outbox: false });
    await sampler.stop();
    await producer?.disconnect();
    const [{ reviews }] = (await sql.query(`SELECT coalesce(sum(reviews), 0)::int AS reviews FROM statistics.review_rollups`)).rows;
    const [{ cases }] = (await sql.query(`SELECT count(*)::int AS cases FROM rectification.cases`)).rows;
    if (reviews !== total || cases !== bad)
      throw new Error(`after the load the rollups count ${reviews} of ${total} reviews and ${cases} of ${bad} cases are open`);
    return {
      scenario: 'sustained events',
      transport,
      offeredPerSecond: RATE,
      appendedPerSecond: Math.round(total / loadSeconds),
      events: total,
      bad,
      appendSeconds: Number((appendMs / 1000).toFixed(1)),
      caughtUpSecondsAfterLoad: caughtUpAfter,
      ...lagPeaks(sampler.samples),
      rollupReviews: reviews,
      cases,
      cpuCoresDuringLoad,
      loadBefore: Number(loadBefore.toFixed(1)),
      samples: sampler.samples,
    };
  } finally {
    await admin?.disconnect().catch(() => undefined);
    await sql.end().catch(() => undefined);
    for (const child of children) await stop(child);
    await dropDatabase(db.name);
  }
}

async function sustained() {
  const db = await freshDatabase(baseDbUrl, 'pipe_sustained');
  const children = await startSystem(db.url);
  const sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  const admin = brokers.length ? new Kafka({ clientId: 'pipeline-bench-lag', brokers, logLevel: logLevel.WARN }).admin() : null;
  await admin?.connect();
  try {
    // Enough PADs that none sends more live ratings than the 刷评 arrival rule allows (each one's turn comes round
    // every devices / RATE s), with a fifth to spare: the measured path is a district's normal traffic, not 刷评.
    const perUnit = Math.ceil((1.2 * RATE * ARRIVAL_BURST_WINDOW_SECONDS) / ARRIVAL_BURST_MAX_RATINGS / UNITS.length);
    const { devices } = await setUpFleet(healthOf('intake'), jwtSecret, { units: UNITS, devicesPerUnit: perUnit });
    const next = ratingFactory(devices);
    let di = 0;
    const services = brokers.length
      ? { intake: children[0], rectification: children[1], statistics: children[2] }
      : { allInOne: children[0] };
    const cpuBefore = cpuParts(services);
    const t0 = Date.now();
    const sampler = lagSampler(sql, admin, t0, { outbox: true });
    log(`sustained on ${transport}: ${RATE} single ratings/s for ${DURATION} s`);
    const loadBefore = os.loadavg()[0];
    const result = await new Promise((resolve, reject) => {
      const instance = autocannon(
        {
          url: healthOf('intake'),
          connections: CONNECTIONS,
          duration: DURATION,
          overallRate: RATE,
          requests: [
            {
              method: 'POST',
              path: '/api/v1/ratings',
              setupRequest: (req) => {
                const device = devices[di++ % devices.length];
                const body = JSON.stringify(next(device));
                return { ...req, body, headers: signed('x-device-id', device.id, device.secret, 'POST', '/api/v1/ratings', body) };
              },
            },
          ],
        },
        (err, res) => (err ? reject(err) : resolve(res)),
      );
      autocannon.track(instance, { renderProgressBar: false, renderResultsTable: false, renderLatencyTable: false });
    });
    const loadEnd = Date.now();
    const cpuCoresDuringLoad = coresUsed(cpuBefore, cpuParts(services), (loadEnd - t0) / 1000);
    const caughtUpAfter = await secondsToCatchUp(sql, admin, loadEnd, { outbox: true });
    const relay = await relayPhases();
    const [stored] = (
      await sql.query(`SELECT count(*)::int AS reviews, count(*) FILTER (WHERE suspect)::int AS suspect FROM intake.reviews`)
    ).rows;
    await sampler.stop();
    return {
      scenario: 'sustained single ratings',
      transport,
      offeredPerSecond: RATE,
      seconds: DURATION,
      devices: devices.length,
      answered2xxPerSecond: Math.round(result['2xx'] / result.duration),
      storedReviews: stored.reviews,
      flaggedSuspect: stored.suspect,
      non2xx: result.non2xx,
      p99Ms: result.latency.p99,
      caughtUpSecondsAfterLoad: caughtUpAfter,
      ...lagPeaks(sampler.samples),
      cpuCoresDuringLoad,
      loadBefore: Number(loadBefore.toFixed(1)),
      relay,
      samples: sampler.samples,
    };
  } finally {
    await admin?.disconnect();
    await sql.end();
    for (const child of children) await stop(child);
    await dropDatabase(db.name);
  }
}

log(
  `machine: ${os.cpus().length} × ${os.cpus()[0]?.model}, ${Math.round(os.totalmem() / 2 ** 30)} GiB; load ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
for (const scenario of scenarios) {
  let result;
  if (scenario === 'stats-drain') result = await drain('statistics');
  else if (scenario === 'rect-drain') result = await drain('rectification');
  else if (scenario === 'e2e') result = await endToEnd();
  else if (scenario === 'sustained') result = await sustained();
  else if (scenario === 'sustained-events') result = await sustainedEvents();
  else throw new Error(`unknown scenario ${scenario}`);
  results.push(result);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
