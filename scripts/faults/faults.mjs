// The fault suite (`npm run faults`; `npm run faults -- --short` in CI). RELIABILITY.md explains it.
//
// Real Kafka (scripts/kafka.sh, KAFKA_PORT) and a PostgreSQL cluster of its own on a spare port
// (FAULTS_PG_PORT, default 25432) that it can restart; the three services run as separate
// processes from the compiled entry points (`npm run build` first). A fleet of signed PADs
// rates without pause and retries as a real PAD does: the same body on a network error, 503
// or 429 (after Retry-After), until acknowledged. Every acknowledged id is recorded, a fault is
// injected, and the audit checks that each acknowledged rating is stored once, counted once in
// the rollups and the quarterly report, that every bad one has its case, and that the outboxes
// drained — with no step by hand, within SETTLE_DEADLINE_S. Killed processes are restarted
// at once, as a process supervisor (systemd, Kubernetes) would.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import kafkajs from 'kafkajs';
import pg from 'pg';
import { audit, Fleet, freePort, reportTotal, ServiceProcess, setUpUnits, sleep } from './harness.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { PgCluster } = await import(join(root, 'dist/libs/testing/src/pg-cluster.js'));

const SHORT = process.argv.includes('--short');
const ONLY = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',');
const BROKER_KILLS = Number(process.argv.find((a) => a.startsWith('--broker-kills='))?.slice(15) ?? (SHORT ? 1 : 5));
const KAFKA_PORT = process.env.KAFKA_PORT ?? '9092';
const KAFKA_CONTROLLER_PORT = process.env.KAFKA_CONTROLLER_PORT ?? String(Number(KAFKA_PORT) + 1);
const PG_PORT = Number(process.env.FAULTS_PG_PORT ?? 25432);
const OUTAGE_S = SHORT ? 10 : 30;
const WARMUP_S = SHORT ? 5 : 10;
const AFTER_S = SHORT ? 5 : 10;
const SETTLE_DEADLINE_S = 180;
/** The longest stretch without an acknowledgement allowed beyond the fault's own duration (restarts, reconnects). */
const GAP_ALLOWANCE_S = 30;
const UNITS_PER_CASE = 12;
const PADS_PER_UNIT = 4;
const JWT_SECRET = `faults-${randomBytes(16).toString('hex')}`;
const DATA_ENCRYPTION_KEY = randomBytes(32).toString('hex');
const run = Date.now().toString(36);
const logDir = join(root, '.data', 'faults', run);
mkdirSync(logDir, { recursive: true });

const say = (msg) => process.stderr.write(`[faults ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

// ---------------------------------------------------------------- infrastructure

const kafkaEnv = { ...process.env, KAFKA_PORT, KAFKA_CONTROLLER_PORT };
// Asynchronous: the PAD fleet runs in this process and must not stop while the broker does.
const kafkaSh = (command) => promisify(execFile)(join(root, 'scripts/kafka.sh'), [command], { env: kafkaEnv, timeout: 180_000 });
const kafkaHome = process.env.KAFKA_HOME ?? join(root, '.data', 'kafka');
const brokerPid = () => Number(readFileSync(join(kafkaHome, 'broker.pid'), 'utf8'));

// ---------------------------------------------------------------- the suite

const cluster = new PgCluster(PG_PORT, join(root, '.data', `faults-pg-${PG_PORT}`));
const services = [];

async function withSql(database, work) {
  const client = new pg.Client({ connectionString: cluster.url(database) });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const byName = (name, instance = 1) => services.find((s) => s.name === name && s.instance === instance);

/** Kill -9 and restart at once (the supervisor's part); resolves when the process is ready again. */
async function killAndRestart(name) {
  const service = byName(name);
  service.kill9();
  await sleep(500);
  service.start();
  await service.ready();
}

function faults() {
  const list = [
    { name: 'kill -9 intake', key: 'kill-intake', inject: () => killAndRestart('intake') },
    { name: 'kill -9 rectification', key: 'kill-rectification', inject: () => killAndRestart('rectification') },
    { name: 'kill -9 statistics', key: 'kill-statistics', inject: () => killAndRestart('statistics') },
    {
      name: `broker stop ${OUTAGE_S} s`,
      key: 'broker-stop',
      inject: async () => {
        await kafkaSh('stop');
        await sleep(OUTAGE_S * 1000);
        await kafkaSh('start');
      },
    },
    ...Array.from({ length: BROKER_KILLS }, (_, i) => ({
      name: `broker kill -9 ${OUTAGE_S} s #${i + 1}`,
      key: 'broker-kill',
      inject: async () => {
        process.kill(brokerPid(), 'SIGKILL');
        await sleep(OUTAGE_S * 1000);
        await kafkaSh('start');
      },
    })),
    { name: 'PostgreSQL restart -m fast', key: 'pg-fast', inject: () => cluster.restart('fast') },
    { name: 'PostgreSQL restart -m immediate', key: 'pg-immediate', inject: () => cluster.restart('immediate') },
    {
      name: 'consumers ×2, one of each killed',
      key: 'consumer-instance',
      before: async () => {
        for (const name of ['rectification', 'statistics']) {
          const first = byName(name);
          const port = await freePort();
          const second = new ServiceProcess(name, 2, port, { ...first.env, [portVar(name)]: String(port) }, logDir);
          services.push(second);
          second.start();
          await second.ready();
        }
        await sleep(12_000); // both instances hold partitions
      },
      inject: async () => {
        byName('rectification', 1).kill9();
        byName('statistics', 1).kill9();
        // Failover: how long until each group is down to its survivor (the dead member expired, partitions reassigned).
        const killedAt = Date.now();
        const admin = new kafkajs.Kafka({
          clientId: 'faults-groups',
          brokers: [`127.0.0.1:${KAFKA_PORT}`],
          logLevel: kafkajs.logLevel.NOTHING,
        }).admin();
        await admin.connect();
        try {
          for (;;) {
            const { groups } = await admin.describeGroups(['rectification', 'statistics']);
            if (groups.every((g) => g.state === 'Stable' && g.members.length === 1)) break;
            await sleep(250);
          }
          return `partitions moved to the survivors in ${((Date.now() - killedAt) / 1000).toFixed(1)} s`;
        } finally {
          await admin.disconnect();
        }
      },
      after: async () => {
        // The survivors carry on alone; the first instances come back for what follows.
        for (const name of ['rectification', 'statistics']) {
          const first = byName(name, 1);
          first.start();
          await first.ready();
        }
      },
    },
  ];
  if (SHORT) return list.filter((f) => ['kill-intake', 'broker-kill', 'pg-immediate'].includes(f.key));
  return ONLY ? list.filter((f) => ONLY.includes(f.key)) : list;
}

const portVar = (name) => `${name.toUpperCase()}_PORT`;

/** Duplicates on the topics (records − distinct event ids) among the run's keys: the inbox absorbed each. */
async function topicDuplicates(unitsByCase) {
  const kafka = new kafkajs.Kafka({ clientId: 'faults-audit', brokers: [`127.0.0.1:${KAFKA_PORT}`], logLevel: kafkajs.logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const topics = ['reviews.submitted', 'cases.lifecycle'];
  const ends = {};
  for (const topic of topics) ends[topic] = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const caseOf = new Map();
  unitsByCase.forEach((units, i) => units.forEach((u) => caseOf.set(u, i)));
  const seen = unitsByCase.map(() => ({ records: 0, ids: new Set() }));
  const remaining = new Set(topics.flatMap((t) => ends[t].filter((e) => Number(e.high) > Number(e.low)).map((e) => `${t}:${e.partition}`)));
  const consumer = kafka.consumer({ groupId: `faults-audit-${run}`, sessionTimeout: 8_000, heartbeatInterval: 1_000 });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  const done = new Promise((resolve) => {
    if (remaining.size === 0) resolve();
    void consumer.run({
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          const i = caseOf.get(message.key?.toString());
          if (i !== undefined) {
            seen[i].records += 1;
            seen[i].ids.add(JSON.parse(message.value.toString()).id);
          }
        }
        const end = ends[batch.topic].find((e) => e.partition === batch.partition);
        if (Number(batch.lastOffset()) + 1 >= Number(end.high)) remaining.delete(`${batch.topic}:${batch.partition}`);
        if (remaining.size === 0) resolve();
      },
    });
  });
  await Promise.race([done, sleep(120_000)]);
  await consumer.disconnect();
  return seen.map((s) => s.records - s.ids.size);
}

async function main() {
  say(`${SHORT ? 'short' : 'full'} run ${run}; logs in ${logDir}`);
  say(`Kafka on 127.0.0.1:${KAFKA_PORT}`);
  await kafkaSh('start');
  say(`PostgreSQL cluster on 127.0.0.1:${PG_PORT}`);
  await cluster.start();
  const admin = new pg.Client({ connectionString: cluster.url() });
  await admin.connect();
  const database = `faults_${run}`;
  await admin.query(`CREATE DATABASE "${database}"`);
  await admin.end();
  const env = {
    ...process.env,
    DATABASE_URL: cluster.url(database),
    KAFKA_BROKERS: `127.0.0.1:${KAFKA_PORT}`,
    JWT_SECRET,
    DATA_ENCRYPTION_KEY,
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
  };
  for (const name of ['intake', 'rectification', 'statistics']) {
    const port = await freePort();
    const service = new ServiceProcess(name, 1, port, { ...env, [portVar(name)]: String(port) }, logDir);
    services.push(service);
  }
  // intake first: its migrations and those of the others run under advisory locks, one at a time.
  for (const service of services) {
    service.start();
    await service.ready();
  }
  const intakeUrl = byName('intake').url;
  const statisticsUrl = () => services.find((s) => s.name === 'statistics' && s.child)?.url;
  const rows = [];
  const unitsByCase = [];
  for (const [index, fault] of faults().entries()) {
    say(`case ${index + 1}: ${fault.name}`);
    if (fault.before) await fault.before();
    const { units, devices } = await setUpUnits(intakeUrl, `F${run}-${index + 1}`, {
      jwtSecret: JWT_SECRET,
      count: UNITS_PER_CASE,
      padsPerUnit: PADS_PER_UNIT,
    });
    unitsByCase.push(units);
    const fleet = new Fleet(devices, intakeUrl, { say });
    const started = Date.now();
    fleet.start();
    await sleep(WARMUP_S * 1000);
    const injectedAt = Date.now();
    const note = await fault.inject();
    const faultEnded = Date.now();
    await sleep(AFTER_S * 1000);
    const stopped = await fleet.stop().then(
      () => null,
      (err) => err.message,
    );
    const lastAck = Math.max(...[...fleet.acked.values()].map((a) => a.ackAt));
    const stoppedAt = Date.now();
    // The audit polls the database (a connection per poll: the PostgreSQL cases drop connections).
    let result;
    for (const deadline = Date.now() + SETTLE_DEADLINE_S * 1000; ;) {
      result = await withSql(database, (client) => audit(client, fleet, units)).catch((err) => ({ settled: false, error: err.message }));
      if (result.settled || Date.now() > deadline) break;
      await sleep(500);
    }
    const settledAt = Date.now();
    const report = result.settled ? await reportTotal(statisticsUrl, fleet, units, JWT_SECRET) : null;
    if (fault.after) await fault.after();
    const row = {
      fault: fault.name,
      acknowledged: fleet.acked.size,
      stored: result.stored,
      rollups: result.rollups,
      report: report?.total ?? null,
      bad: result.bad,
      cases: result.cases,
      replays: fleet.replays,
      errors: fleet.errors,
      mismatches: fleet.mismatches,
      faultSeconds: (faultEnded - injectedAt) / 1000,
      ackGapSeconds: fleet.longestGap(started, stoppedAt) / 1000,
      settleSeconds: (settledAt - lastAck) / 1000,
      // Every PAD served again after the fault, no answer 500, no valid rating refused, no gap longer than the fault
      // itself and GAP_ALLOWANCE_S, and every count equal unit by unit and level by level.
      recovered: fleet.acknowledgedAfter(faultEnded) >= devices.length,
      refused: fleet.refused.length,
      differences: [...(result.differences ?? []), ...(report?.differences ?? [])],
      settled:
        stopped === null &&
        result.settled &&
        report?.total === fleet.acked.size &&
        report.differences.length === 0 &&
        fleet.mismatches === 0 &&
        fleet.refused.length === 0 &&
        !fleet.errors[500] &&
        fleet.acknowledgedAfter(faultEnded) >= devices.length &&
        fleet.longestGap(started, stoppedAt) / 1000 <= (faultEnded - injectedAt) / 1000 + GAP_ALLOWANCE_S,
      ...(stopped ? { stopped } : {}),
      ...(note ? { note } : {}),
    };
    rows.push(row);
    say(`  ${JSON.stringify(row)}`);
  }
  say('topic duplicates (records - distinct event ids) per case');
  const duplicates = await topicDuplicates(unitsByCase).catch((err) => {
    say(`topic scan failed: ${err.message}`);
    return rows.map(() => null);
  });
  rows.forEach((row, i) => (row.topicDuplicates = duplicates[i]));
  printTable(rows);
  await Promise.all(services.map((s) => s.stop()));
  await cluster.stop();
  const failed = rows.filter((r) => !r.settled);
  if (failed.length) {
    say(`NOT SETTLED: ${failed.map((r) => r.fault).join('; ')}`);
    process.exitCode = 1;
  } else say(`every case settled with nothing lost or counted twice (deadline ${SETTLE_DEADLINE_S} s after the last acknowledgement)`);
}

function printTable(rows) {
  const header = [
    'fault',
    'acknowledged',
    'stored',
    'in rollups',
    'in report',
    'bad',
    'cases',
    'duplicates absorbed (PAD replays / topic)',
    'client-visible errors',
    'fault until back s',
    'longest ack gap s',
    'settled after last ack s',
    'ok',
  ];
  const lines = rows.map((r) => [
    r.fault,
    r.acknowledged,
    r.stored,
    r.rollups,
    r.report ?? '—',
    r.bad,
    r.cases,
    `${r.replays} / ${r.topicDuplicates ?? '?'}`,
    Object.entries(r.errors)
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ') || 'none',
    r.faultSeconds.toFixed(1),
    r.ackGapSeconds.toFixed(1),
    r.settleSeconds.toFixed(1),
    r.settled ? 'yes' : 'NO',
  ]);
  const out = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...lines.map((l) => `| ${l.join(' | ')} |`)];
  const notes = rows.filter((r) => r.note).map((r) => `- ${r.fault}: ${r.note}`);
  process.stdout.write(`\n${out.join('\n')}\n${notes.length ? `\n${notes.join('\n')}\n` : ''}`);
}

main().catch(async (err) => {
  say(`failed: ${err.stack ?? err}`);
  await Promise.all(services.map((s) => s.stop()));
  await cluster.stop();
  process.exit(1);
});
