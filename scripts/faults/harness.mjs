// What the fault suite (faults.mjs) and the replica suite (scripts/replicas) share: service processes from the
// compiled entry points, a fleet of signed PADs that retries as a real PAD does, free ports.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { call, jwt, serviceNodeFlags, signed } from '../bench/intake-client.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** A PAD waits this long between two ratings: a busy window, yet clear of the 刷评 rule (more than 5 arriving within 10 s). */
const PAD_PAUSE_MS = 2_100;

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** One service process from its compiled entry point (what `npm run start:<name>` runs). */
export class ServiceProcess {
  /** `logDir`: where `<name>-<instance>.log` collects the process's output. */
  constructor(name, instance, port, env, logDir) {
    Object.assign(this, { name, instance, port, env, logDir, child: null, starts: 0 });
    this.url = `http://127.0.0.1:${port}`;
  }

  start() {
    this.starts += 1;
    const log = createWriteStream(join(this.logDir, `${this.name}-${this.instance}.log`), { flags: 'a' });
    this.child = spawn(process.execPath, [...serviceNodeFlags(this.name), join(root, `dist/apps/${this.name}/src/main.js`)], {
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout.pipe(log);
    this.child.stderr.pipe(log);
  }

  kill9() {
    this.child?.kill('SIGKILL');
    this.child = null;
  }

  async stop() {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(15_000)]);
    child.kill('SIGKILL');
  }

  async ready(timeoutMs = 90_000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        if ((await fetch(`${this.url}/health/ready`, { signal: AbortSignal.timeout(3_000) })).status === 200) return;
      } catch {
        /* not up yet */
      }
      await sleep(200);
    }
    throw new Error(`${this.name}-${this.instance} not ready in ${timeoutMs} ms (see ${this.logDir})`);
  }
}

/** The Shanghai calendar quarter of an instant: ratings are reported by it. */
export function quarterOf(ms) {
  const d = new Date(ms + 8 * 3600_000);
  return { year: d.getUTCFullYear(), quarter: Math.floor(d.getUTCMonth() / 3) + 1 };
}

export class Fleet {
  /**
   * `devices` rate through `intakeUrl`, each pausing `pauseMs` between two ratings (default: a busy window, yet
   * clear of the 刷评 rule of more than 5 arriving within 10 s); `say` logs.
   */
  constructor(devices, intakeUrl, { pauseMs = PAD_PAUSE_MS, say = () => undefined } = {}) {
    Object.assign(this, { devices, intakeUrl, pauseMs, say, stopped: false, loops: [] });
    this.refused = []; // { recordId, status }: 4xx answers other than 429, which a PAD does not retry
    this.acked = new Map(); // review id → { unitCode, bad, ackAt }
    this.byRecord = new Map(); // serviceRecordId → review id (the same body must always get the same id)
    this.replays = 0; // retries answered 200 duplicate: the first attempt had been stored
    this.errors = {}; // status (or "network") → count
    this.mismatches = 0;
    this.quarters = new Set();
    // ratedAt: 11 s apart per PAD (clear of the 刷评 burst rule), starting two days back.
    this.base = Date.now() - 2 * 24 * 3600_000;
  }

  start() {
    this.loops = this.devices.map((device) => this.pad(device));
  }

  /**
   * Stops after each PAD has its current rating acknowledged (a PAD never drops one); throws when some PAD still has
   * none `deadlineMs` after the load stopped — a system that does not recover fails the run instead of hanging it.
   */
  async stop(deadlineMs = 120_000) {
    this.stopped = true;
    let timer;
    const expired = new Promise((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`PADs still waiting for an acknowledgement ${deadlineMs / 1000} s after the load stopped: no recovery`)),
        deadlineMs,
      );
    });
    try {
      await Promise.race([Promise.all(this.loops), expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Acknowledgements received after `instant` (epoch ms): each PAD must be served again once a fault is over. */
  acknowledgedAfter(instant) {
    return [...this.acked.values()].filter((a) => a.ackAt > instant).length;
  }

  /** What the acknowledgements say each unit must hold: its ratings per level and its bad ones (one case each). */
  expectedByUnit() {
    const units = new Map();
    for (const { unitCode, level, bad } of this.acked.values()) {
      const unit = units.get(unitCode) ?? { byLevel: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 }, bad: 0 };
      unit.byLevel[level] += 1;
      if (bad) unit.bad += 1;
      units.set(unitCode, unit);
    }
    return units;
  }

  async pad(device) {
    for (let i = 0; !this.stopped; i++) {
      const ratedAt = this.base + i * 11_000;
      this.quarters.add(JSON.stringify(quarterOf(ratedAt)));
      const level = i % 10 === 3 ? 1 : i % 10 === 7 ? 2 : 5;
      const body = JSON.stringify({
        serviceRecordId: `${device.id.slice(0, 8)}-${i}`,
        serviceItemCode: 'S-1',
        level,
        ratedAt: new Date(ratedAt).toISOString(),
      });
      await this.sendUntilAcknowledged(device, body, level);
      await sleep(this.pauseMs);
    }
  }

  async sendUntilAcknowledged(device, body, level) {
    const bad = level <= 2;
    const recordId = JSON.parse(body).serviceRecordId;
    for (;;) {
      let status;
      let retryAfter = 0;
      try {
        const res = await fetch(`${this.intakeUrl}/api/v1/ratings`, {
          method: 'POST',
          headers: signed('x-device-id', device.id, device.secret, 'POST', '/api/v1/ratings', body),
          body,
          signal: AbortSignal.timeout(10_000),
        });
        status = res.status;
        retryAfter = Number(res.headers.get('retry-after') ?? 0);
        const json = await res.json().catch(() => ({}));
        if (status === 201 || status === 200) {
          const known = this.byRecord.get(recordId);
          if (known && known !== json.id) this.mismatches += 1;
          this.byRecord.set(recordId, json.id);
          if (json.duplicate) this.replays += 1;
          this.acked.set(json.id, { unitCode: device.unitCode, level, bad, ackAt: Date.now() });
          return;
        }
      } catch {
        status = 'network';
      }
      this.errors[status] = (this.errors[status] ?? 0) + 1;
      if (typeof status === 'number' && status < 500 && status !== 429) {
        this.refused.push({ recordId, status });
        this.say(`PAD ${device.id.slice(0, 8)}: ${status} for ${recordId}, not retried`);
        return;
      }
      await sleep(retryAfter ? retryAfter * 1000 : 500);
    }
  }

  /** The longest stretch without any acknowledgement while the fleet ran. */
  longestGap(from, to) {
    const times = [from, ...[...this.acked.values()].map((a) => a.ackAt).sort((a, b) => a - b), to];
    let gap = 0;
    for (let i = 1; i < times.length; i++) gap = Math.max(gap, times[i] - times[i - 1]);
    return gap;
  }
}

/** Whether every acknowledged rating of `units` is stored, counted in the rollups and (when bad) cased exactly once. */
export async function audit(sql, fleet, units) {
  const ids = [...fleet.acked.keys()];
  const badIds = [...fleet.acked].filter(([, a]) => a.bad).map(([id]) => id);
  const { rows } = await sql.query(
    `SELECT
       (SELECT count(*)::int FROM intake.reviews WHERE id = ANY($1::uuid[])) AS stored,
       (SELECT count(*)::int FROM intake.reviews WHERE unit_code = ANY($3)) AS stored_in_units,
       (SELECT coalesce(sum(reviews), 0)::int FROM statistics.review_rollups WHERE unit_code = ANY($3)) AS rollups,
       (SELECT count(*)::int FROM rectification.cases WHERE review_id = ANY($2::uuid[])) AS cases,
       (SELECT count(*)::int FROM rectification.cases WHERE unit_code = ANY($3)) AS cases_in_units,
       (SELECT count(*)::int FROM intake.outbox WHERE published_at IS NULL)
         + (SELECT count(*)::int FROM rectification.outbox WHERE published_at IS NULL)
         + (SELECT count(*)::int FROM statistics.outbox WHERE published_at IS NULL) AS pending`,
    [ids, badIds, units],
  );
  const r = rows[0];
  // Unit by unit and level by level, so that a loss in one place and a double in another cannot cancel out.
  const perLevel = async (text, values) => {
    const counts = new Map();
    for (const row of (await sql.query(text, values)).rows) counts.set(`${row.unit_code}|${row.level}`, row.n);
    return counts;
  };
  const stored = await perLevel(
    `SELECT unit_code, level, count(*)::int AS n FROM intake.reviews WHERE id = ANY($1::uuid[]) GROUP BY 1, 2`,
    [ids],
  );
  const rolledUp = await perLevel(
    `SELECT unit_code, level, sum(reviews)::int AS n FROM statistics.review_rollups WHERE unit_code = ANY($1) GROUP BY 1, 2`,
    [units],
  );
  const cased = await perLevel(
    `SELECT unit_code, 'bad' AS level, count(*)::int AS n FROM rectification.cases WHERE unit_code = ANY($1) GROUP BY 1`,
    [units],
  );
  const differences = [];
  const expected = fleet.expectedByUnit();
  for (const unit of units) {
    const want = expected.get(unit) ?? { byLevel: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 }, bad: 0 };
    for (const [level, n] of Object.entries(want.byLevel)) {
      const got = { stored: stored.get(`${unit}|${level}`) ?? 0, rollups: rolledUp.get(`${unit}|${level}`) ?? 0 };
      if (got.stored !== n || got.rollups !== n)
        differences.push(`${unit} level ${level}: acknowledged ${n}, stored ${got.stored}, rollups ${got.rollups}`);
    }
    const cases = cased.get(`${unit}|bad`) ?? 0;
    if (cases !== want.bad) differences.push(`${unit}: ${want.bad} bad acknowledged, ${cases} cases`);
  }
  const settled =
    r.stored === ids.length &&
    r.stored_in_units === ids.length &&
    r.rollups === ids.length &&
    r.cases === badIds.length &&
    r.cases_in_units === badIds.length &&
    r.pending === 0 &&
    differences.length === 0;
  return { ...r, acknowledged: ids.length, bad: badIds.length, differences, settled };
}

/**
 * The quarterly reports over `units` and the quarters the fleet rated in, set against the acknowledgements unit by
 * unit and level by level: `{ total, differences }` (a loss and a double never cancel out).
 */
export async function reportTotal(statisticsUrl, fleet, units, jwtSecret) {
  const token = jwt(jwtSecret, 'supervisor');
  const expected = fleet.expectedByUnit();
  const differences = [];
  let total = 0;
  for (const unitCode of units) {
    const byLevel = { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 };
    for (const q of [...fleet.quarters].map((s) => JSON.parse(s))) {
      const res = await call(statisticsUrl(), 'GET', `/api/v1/reports/quarterly?year=${q.year}&quarter=${q.quarter}&unitCode=${unitCode}`, {
        token,
      });
      if (res.status !== 200) throw new Error(`report ${unitCode}: ${res.status} ${JSON.stringify(res.body)}`);
      total += res.body.reviews.total;
      for (const level of Object.keys(byLevel)) byLevel[level] += res.body.reviews.byLevel[level];
    }
    const want = expected.get(unitCode)?.byLevel ?? { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 };
    for (const level of Object.keys(byLevel))
      if (byLevel[level] !== want[level])
        differences.push(`${unitCode} level ${level}: acknowledged ${want[level]}, in the report ${byLevel[level]}`);
  }
  return { total, differences };
}

/** `count` units named `<prefix>-Unn`, each with `padsPerUnit` PADs. */
export async function setUpUnits(intakeUrl, prefix, { jwtSecret, count, padsPerUnit }) {
  const admin = jwt(jwtSecret, 'admin');
  const devices = [];
  const units = [];
  for (let u = 1; u <= count; u++) {
    const code = `${prefix}-U${String(u).padStart(2, '0')}`;
    units.push(code);
    const created = await call(intakeUrl, 'POST', '/api/v1/units', { token: admin, body: { code, name: `故障演练单位${u}` } });
    if (created.status !== 201) throw new Error(`unit ${code}: ${created.status} ${JSON.stringify(created.body)}`);
    for (let w = 1; w <= padsPerUnit; w++) {
      const d = await call(intakeUrl, 'POST', '/api/v1/devices', { token: admin, body: { unitCode: code, windowNo: `W${w}` } });
      if (d.status !== 201) throw new Error(`device: ${d.status} ${JSON.stringify(d.body)}`);
      devices.push({ id: d.body.deviceId, secret: d.body.secret, unitCode: code });
    }
  }
  return { units, devices };
}
