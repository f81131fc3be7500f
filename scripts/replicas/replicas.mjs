// The replica suite (`npm run test:replicas`, in CI): two replicas of each service behind a real HAProxy, on real
// Kafka (scripts/kafka.sh, KAFKA_PORT) and a PostgreSQL cluster of its own (REPLICAS_PG_PORT, default 25434), the
// services from their compiled entry points (`npm run build` first). It checks what one process would hide:
//   1. a device's item budget holds across replicas;
//   2. the failed-signature limit holds across replicas;
//   3. a revocation through one replica is refused by the other within 10 s;
//   4. a prompt posted through one replica reaches a PAD streaming from the other;
//   5. the overdue sweep fires once per tick: an overdue 12345 case is flagged and urged once per deadline;
//   6. kill -9 of one replica of each service under load: every acknowledged rating stored, counted and (when bad)
//      cased exactly once, a hotline reply closed just before delivered once, no step by hand;
//   7. a rolling restart of every service through the balancer under load fails no request.
// Exits 1 when a check fails. RELIABILITY.md § Replicas has a run's figures.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { call, jwt, signed } from '../bench/intake-client.mjs';
import { audit, Fleet, freePort, reportTotal, ServiceProcess, setUpUnits, sleep } from '../faults/harness.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { PgCluster } = await import(join(root, 'dist/libs/testing/src/pg-cluster.js'));

/** `--only=word,word`: the checks whose name holds one of the words (the set-up runs whole). */
const ONLY = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',');
const KAFKA_PORT = process.env.KAFKA_PORT ?? '9092';
const PG_PORT = Number(process.env.REPLICAS_PG_PORT ?? 25434);
const SERVICES = ['intake', 'rectification', 'statistics'];
const ITEMS_PER_HOUR = 300;
const AUTH_FAILURES_PER_MINUTE = 10;
/** HAProxy checks readiness every 500 ms and takes a replica out after 2 failures; the drain outlasts that. */
const DRAIN_MS = 2_000;
const SETTLE_DEADLINE_S = 150;
const JWT_SECRET = `replicas-${randomBytes(16).toString('hex')}`;
const run = Date.now().toString(36);
const logDir = join(root, '.data', 'replicas', run);
mkdirSync(logDir, { recursive: true });
const say = (msg) => process.stderr.write(`[replicas ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const admin = jwt(JWT_SECRET, 'admin');
const supervisor = jwt(JWT_SECRET, 'supervisor');

const cluster = new PgCluster(PG_PORT, join(root, '.data', `replicas-pg-${PG_PORT}`));
const services = [];
const instance = (name, i) => services.find((s) => s.name === name && s.instance === i);
let balancer = null;
const lb = {};

// ---------------------------------------------------------------- the balancer

async function startBalancer() {
  for (const name of SERVICES) lb[name] = `http://127.0.0.1:${await freePort()}`;
  lb.stats = `http://127.0.0.1:${await freePort()}`;
  const config = [
    'global',
    '  log stdout format raw local0 info',
    'defaults',
    '  mode http',
    '  log global',
    '  option httplog',
    '  option forwardfor',
    '  option dontlog-normal',
    '  timeout connect 2s',
    '  timeout client 60s',
    '  timeout server 60s',
    '  timeout tunnel 1h',
    // A readiness check slowed by load is not a failed one: only a 503 or no answer within 2 s takes a replica out.
    '  timeout check 2s',
    // A connection refused or closed before any answer goes to the other replica (the request was never handled).
    '  retries 3',
    '  option redispatch',
    '  retry-on conn-failure empty-response',
    '  default-server check inter 500ms fall 2 rise 2',
    'listen stats',
    `  bind 127.0.0.1:${new URL(lb.stats).port}`,
    '  stats enable',
    '  stats uri /stats',
    ...SERVICES.flatMap((name) => [
      `frontend ${name}`,
      `  bind 127.0.0.1:${new URL(lb[name]).port}`,
      `  default_backend ${name}`,
      `backend ${name}`,
      '  option httpchk GET /health/ready',
      '  balance roundrobin',
      ...[1, 2].map((i) => `  server ${name}-${i} 127.0.0.1:${instance(name, i).port}`),
    ]),
  ].join('\n');
  const file = join(logDir, 'haproxy.cfg');
  writeFileSync(file, `${config}\n`);
  const log = createWriteStream(join(logDir, 'haproxy.log'));
  balancer = spawn('haproxy', ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  balancer.stdout.pipe(log);
  balancer.stderr.pipe(log);
  for (const name of SERVICES)
    await until(`${name} through the balancer`, async () => (await fetch(`${lb[name]}/health/ready`)).status === 200);
}

/** Waits until HAProxy itself counts the replica as up (its own checks passed), as a rolling update waits for its balancer. */
async function balancerSaysUp(name, i) {
  await until(
    `${name}-${i} up in the balancer`,
    async () => {
      const csv = await (await fetch(`${lb.stats}/stats;csv`)).text();
      const row = csv.split('\n').find((line) => line.startsWith(`${name},${name}-${i},`));
      return row?.split(',')[17] === 'UP';
    },
    30_000,
    100,
  );
}

async function until(what, probe, timeoutMs = 60_000, everyMs = 200) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

// ---------------------------------------------------------------- helpers

async function newDevice(unitCode, windowNo, via = lb.intake) {
  const res = await call(via, 'POST', '/api/v1/devices', { token: admin, body: { unitCode, windowNo } });
  if (res.status !== 201) throw new Error(`device: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.deviceId, secret: res.body.secret, unitCode };
}

async function newUnit(code) {
  const res = await call(lb.intake, 'POST', '/api/v1/units', { token: admin, body: { code, name: `多副本演练${code}` } });
  if (res.status !== 201) throw new Error(`unit ${code}: ${res.status} ${JSON.stringify(res.body)}`);
}

function rating(n, level = 5) {
  return {
    serviceRecordId: `R-${run}-${n}`,
    serviceItemCode: 'S-1',
    level,
    ratedAt: new Date(Date.now() - 3_600_000 + n * 3_000).toISOString(),
  };
}

async function post(base, device, path, payload) {
  const body = JSON.stringify(payload);
  return call(base, 'POST', path, { headers: signed('x-device-id', device.id, device.secret, 'POST', path, body), body });
}

// ---------------------------------------------------------------- the checks

/** 1. 400 ratings in batches of 100 through the balancer, with a budget of 300 an hour: exactly 300 stored. */
async function deviceBudget() {
  const unit = `B${run}`;
  await newUnit(unit);
  const device = await newDevice(unit, 'W1');
  let created = 0;
  const statuses = [];
  for (let b = 0; b < 4; b++) {
    const res = await post(lb.intake, device, '/api/v1/ratings/batch', {
      ratings: Array.from({ length: 100 }, (_, i) => rating(b * 100 + i)),
    });
    statuses.push(res.status);
    if (res.status === 200) created += res.body.results.filter((r) => r.status === 'created').length;
  }
  return {
    ok: created === ITEMS_PER_HOUR,
    detail: `${created} of 400 stored with a budget of ${ITEMS_PER_HOUR} (answers ${statuses.join(', ')})`,
  };
}

/** 2. 30 badly signed requests for one device id through the balancer: 10 answered 401, then 429. */
async function authFailures() {
  const unit = `A${run}`;
  await newUnit(unit);
  const device = await newDevice(unit, 'W1');
  const counts = {};
  for (let i = 0; i < 30; i++) {
    const res = await post(lb.intake, { id: device.id, secret: 'not-the-secret' }, '/api/v1/ratings', rating(i));
    counts[res.status] = (counts[res.status] ?? 0) + 1;
  }
  const ok = counts[401] === AUTH_FAILURES_PER_MINUTE && counts[429] === 30 - AUTH_FAILURES_PER_MINUTE;
  return { ok, detail: `answers ${JSON.stringify(counts)} (limit ${AUTH_FAILURES_PER_MINUTE} a minute per id)` };
}

/** 3. Revoked through intake-1; intake-2 refuses the device within 10 s. */
async function revocation() {
  const unit = `V${run}`;
  await newUnit(unit);
  const device = await newDevice(unit, 'W1');
  const other = instance('intake', 2).url;
  const first = await post(other, device, '/api/v1/ratings', rating(0));
  if (first.status !== 201) return { ok: false, detail: `a rating before the revocation: ${first.status}` };
  const revoked = await call(instance('intake', 1).url, 'POST', `/api/v1/devices/${device.id}/revoke`, { token: admin });
  const at = Date.now();
  let n = 1;
  const refused = await until(
    'revocation seen by intake-2',
    async () => {
      const res = await post(other, device, '/api/v1/ratings', rating(n++));
      return res.status === 401 && res.body.code === 'DEVICE_REVOKED';
    },
    15_000,
    250,
  ).catch(() => false);
  const seconds = (Date.now() - at) / 1000;
  return {
    ok: revoked.status === 200 && refused && seconds < 10,
    detail: `intake-2 refused it ${seconds.toFixed(1)} s after intake-1 revoked it`,
  };
}

/** 4. A PAD streams from intake-2; its prompt is posted through intake-1. */
async function promptAcrossReplicas() {
  const unit = `P${run}`;
  await newUnit(unit);
  const device = await newDevice(unit, 'W1');
  const path = '/api/v1/pad/prompts/stream';
  const controller = new AbortController();
  const res = await fetch(`${instance('intake', 2).url}${path}`, {
    headers: signed('x-device-id', device.id, device.secret, 'GET', path, ''),
    signal: controller.signal,
  });
  if (res.status !== 200) return { ok: false, detail: `stream: ${res.status}` };
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const seen = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return false;
      text += decoder.decode(value, { stream: true });
      if (text.includes(`PROMPT-${run}`)) return true;
    }
  })().catch(() => false);
  await until('stream ready', async () => text.includes('event: ready'), 5_000, 20);
  const at = Date.now();
  const posted = await call(instance('intake', 1).url, 'POST', `/api/v1/devices/${device.id}/prompts`, {
    token: admin,
    body: { serviceRecordId: `PROMPT-${run}`, serviceItemCode: 'S-1', serviceItemName: '营业执照变更' },
  });
  const arrived = await Promise.race([seen, sleep(5_000).then(() => false)]);
  const ms = Date.now() - at;
  controller.abort();
  return {
    ok: posted.status === 201 && arrived,
    detail: `posted through intake-1 (${posted.status}), on intake-2's stream after ${ms} ms`,
  };
}

/** 5 and 6 use a 12345 client whose replies this suite receives. */
async function hotlineClient(receiver) {
  const res = await call(lb.intake, 'POST', '/api/v1/hotline-clients', {
    token: admin,
    body: { name: '12345热线', callbackUrl: receiver.url },
  });
  if (res.status !== 201) throw new Error(`hotline client: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.clientId, secret: res.body.secret };
}

function replyReceiver() {
  const replies = new Map(); // reply id → deliveries
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const id = req.headers['x-reply-id'];
      replies.set(id, (replies.get(id) ?? 0) + 1);
      res.writeHead(200).end('{}');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${server.address().port}/replies`, replies, close: () => server.close() }),
    ),
  );
}

/** A complaint transferred 10 days ago and due yesterday: both its deadlines have passed when it arrives. */
async function overdueComplaint(client, unitCode) {
  const day = 86_400_000;
  const transferredAt = new Date(Date.now() - 10 * day);
  const payload = {
    ticketId: `T-${run}-${randomBytes(3).toString('hex')}`,
    unitCode,
    category: 'COMPLAINT',
    content: '窗口办理时等候时间过长',
    citizen: { name: '李四', phone: '13900139000' },
    receivedAt: new Date(transferredAt.getTime() - 3_600_000).toISOString(),
    transferredAt: transferredAt.toISOString(),
    dueAt: new Date(Date.now() - day).toISOString(),
  };
  const body = JSON.stringify(payload);
  const path = '/api/v1/hotline/complaints';
  const res = await call(lb.intake, 'POST', path, { headers: signed('x-client-id', client.id, client.secret, 'POST', path, body), body });
  if (res.status !== 201) throw new Error(`complaint: ${res.status} ${JSON.stringify(res.body)}`);
  return until('its case', async () => {
    const list = await call(lb.rectification, 'GET', `/api/v1/cases?unitCode=${unitCode}&source=HOTLINE`, { token: supervisor });
    return list.body?.items?.find((c) => c.ticketId === payload.ticketId);
  });
}

const caseDetail = async (id) => (await call(lb.rectification, 'GET', `/api/v1/cases/${id}`, { token: supervisor })).body;

/** 5. Once the sweep has run, the case is overdue and urged once per deadline; a tick later still once. */
async function overdueOnce(caseId) {
  const urges = (c) => c.timeline.filter((e) => e.action === 'urge' && e.actor === 'system').length;
  const flagged = await until(
    'overdue flagged and urged',
    async () => {
      const c = await caseDetail(caseId);
      return c.overdue && urges(c) === 2 ? c : null;
    },
    75_000,
    1_000,
  );
  await sleep(35_000); // one more 30 s tick of the sweep, on whichever replica claims it
  const later = await caseDetail(caseId);
  return {
    ok: urges(flagged) === 2 && urges(later) === 2,
    detail: `urged by the system ${urges(flagged)} times (response and rectification deadlines), ${urges(later)} after another tick`,
  };
}

async function closeCase(caseId, unitCode) {
  const operator = jwt(JWT_SECRET, 'unit_operator', unitCode);
  const act = async (action, body) => {
    const res = await call(lb.rectification, 'POST', `/api/v1/cases/${caseId}/${action}`, { token: operator, body });
    if (res.status !== 200 && res.status !== 201) throw new Error(`${action}: ${res.status} ${JSON.stringify(res.body)}`);
  };
  await act('accept', {});
  await act('respond', { contactedAt: new Date().toISOString(), method: 'PHONE', note: '已电话联系市民' });
  await act('rectify', { outcome: 'RECTIFIED', measures: '已增设取号窗口，缩短等候时间', problemCategory: 'EFFICIENCY_WAITING' });
  await act('feedback', { reviewerSatisfied: true, note: '市民表示满意' });
}

/** A fleet through the balancer, its audit to the end, and what it saw. */
async function underLoad(prefix, duringLoad) {
  const { units, devices } = await setUpUnits(lb.intake, prefix, { jwtSecret: JWT_SECRET, count: 4, padsPerUnit: 3 });
  const fleet = new Fleet(devices, lb.intake, { say });
  const started = Date.now();
  fleet.start();
  await sleep(5_000);
  const note = await duringLoad();
  await sleep(5_000);
  await fleet.stop();
  const stoppedAt = Date.now();
  let result;
  for (const deadline = Date.now() + SETTLE_DEADLINE_S * 1000; ;) {
    result = await withSql((sql) => audit(sql, fleet, units)).catch((err) => ({ settled: false, error: err.message }));
    if (result.settled || Date.now() > deadline) break;
    await sleep(500);
  }
  const report = result.settled ? await reportTotal(() => lb.statistics, fleet, units, JWT_SECRET) : null;
  return { fleet, result, report, note, gap: fleet.longestGap(started, stoppedAt) / 1000 };
}

function loadVerdict({ fleet, result, report, gap }, strictErrors) {
  const errors = Object.entries(fleet.errors).map(([k, v]) => `${k}: ${v}`);
  const exact =
    result.settled &&
    report?.total === fleet.acked.size &&
    report.differences.length === 0 &&
    fleet.mismatches === 0 &&
    fleet.refused.length === 0 &&
    !fleet.errors[500];
  return {
    ok: exact && fleet.acked.size > 0 && (!strictErrors || errors.length === 0),
    detail:
      `${fleet.acked.size} acknowledged, ${result.stored} stored, ${result.rollups} in the rollups, ${report?.total ?? '—'} in the report, ` +
      `${result.bad} bad → ${result.cases} cases; refused ${fleet.refused.length}; errors seen by PADs: ${errors.join(', ') || 'none'}; ` +
      `longest gap between acknowledgements ${gap.toFixed(1)} s` +
      [...(result.differences ?? []), ...(report?.differences ?? [])].map((d) => `; ${d}`).join(''),
  };
}

async function withSql(work) {
  const client = new pg.Client({ connectionString: cluster.url(database) });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

// ---------------------------------------------------------------- the run

const database = `replicas_${run}`;

async function main() {
  say(`run ${run}; logs in ${logDir}`);
  await promisify(execFile)(join(root, 'scripts/kafka.sh'), ['start'], { env: { ...process.env, KAFKA_PORT }, timeout: 180_000 });
  await cluster.start();
  const client = new pg.Client({ connectionString: cluster.url() });
  await client.connect();
  await client.query(`CREATE DATABASE "${database}"`);
  await client.end();
  const env = {
    ...process.env,
    DATABASE_URL: cluster.url(database),
    KAFKA_BROKERS: `127.0.0.1:${KAFKA_PORT}`,
    JWT_SECRET,
    DATA_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    SHUTDOWN_DRAIN_MS: String(DRAIN_MS),
    TRUST_PROXY: '127.0.0.1',
    INTAKE_DEVICE_ITEMS_PER_HOUR: String(ITEMS_PER_HOUR),
    AUTH_FAILURES_PER_ID_PER_MINUTE: String(AUTH_FAILURES_PER_MINUTE),
  };
  for (const name of SERVICES)
    for (const i of [1, 2]) {
      const port = await freePort();
      services.push(new ServiceProcess(name, i, port, { ...env, [`${name.toUpperCase()}_PORT`]: String(port) }, logDir));
    }
  for (const service of services) {
    service.start();
    await service.ready();
  }
  await startBalancer();
  say(`two of each service behind HAProxy: ${SERVICES.map((n) => `${n} ${lb[n]}`).join(', ')}`);

  const checks = [];
  const check = async (name, fn) => {
    if (ONLY && !ONLY.some((word) => name.includes(word))) return;
    say(`${name} …`);
    const outcome = await fn().catch((err) => ({ ok: false, detail: `failed: ${err.message}` }));
    checks.push({ name, ...outcome });
    say(`  ${outcome.ok ? 'ok' : 'FAILED'}: ${outcome.detail}`);
  };

  await check('a device budget across replicas', deviceBudget);
  await check('the failed-signature limit across replicas', authFailures);
  await check('a revocation seen by the other replica within 10 s', revocation);
  await check('a prompt through one replica reaches a PAD on the other', promptAcrossReplicas);

  const receiver = await replyReceiver();
  const hotline = await hotlineClient(receiver);
  const unit = `H${run}`;
  await newUnit(unit);
  const [sweptCase, repliedCase] = [await overdueComplaint(hotline, unit), await overdueComplaint(hotline, unit)];
  const sweep = overdueOnce(sweptCase.id).catch((err) => ({ ok: false, detail: `failed: ${err.message}` }));

  await check('kill -9 of one replica of each service under load', async () => {
    const load = await underLoad(`K${run}`, async () => {
      await closeCase(repliedCase.id, unit);
      for (const name of SERVICES) instance(name, 1).kill9();
      await sleep(500);
      for (const name of SERVICES) instance(name, 1).start();
      for (const name of SERVICES) await instance(name, 1).ready();
    });
    // The reply of the case closed just before the kills: delivered, and in effect once (one reply id).
    const replies = await until('the hotline reply', async () => (receiver.replies.size > 0 ? receiver.replies : null), 90_000, 500).catch(
      () => receiver.replies,
    );
    const verdict = loadVerdict(load, false);
    const sends = [...replies.values()];
    return {
      ok: verdict.ok && replies.size === 1,
      detail: `${verdict.detail}; hotline reply: ${replies.size} reply id(s), ${sends.join('+') || 0} send(s)`,
    };
  });
  await check('the overdue sweep once per tick', () => sweep);

  await check('a rolling restart of every service through the balancer fails no request', async () => {
    const load = await underLoad(`R${run}`, async () => {
      for (const name of SERVICES)
        for (const i of [1, 2]) {
          const service = instance(name, i);
          await service.stop();
          service.start();
          await service.ready();
          await balancerSaysUp(name, i);
        }
    });
    return loadVerdict(load, true);
  });
  receiver.close();

  process.stdout.write(
    `\n| check | ok | what was seen |\n|---|---|---|\n${checks.map((c) => `| ${c.name} | ${c.ok ? 'yes' : 'NO'} | ${c.detail} |`).join('\n')}\n`,
  );
  const failed = checks.filter((c) => !c.ok);
  if (failed.length) {
    say(`FAILED: ${failed.map((c) => c.name).join('; ')}`);
    process.exitCode = 1;
  } else say('every check passed');
}

async function shutdown() {
  balancer?.kill('SIGTERM');
  await Promise.all(services.map((s) => s.stop()));
  await cluster.stop();
}

main()
  .catch((err) => {
    say(`failed: ${err.stack ?? err}`);
    process.exitCode = 1;
  })
  .finally(shutdown);
