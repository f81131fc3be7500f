import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';
import { INTAKE_APP, IntakeModule } from '../../apps/intake/src/intake.module.js';
import { RECTIFICATION_APP, RectificationModule } from '../../apps/rectification/src/rectification.module.js';
import { STATISTICS_APP, StatisticsModule } from '../../apps/statistics/src/statistics.module.js';
import {
  applyTestEnv,
  bearer,
  clientHeaders,
  createTestDatabase,
  type Credential,
  deviceHeaders,
  eventually,
  startTestService,
  type TestDatabase,
} from '#libs/testing';

/**
 * The fuzz suite: every route of every service's OpenAPI document, every string field of
 * its path, query and JSON body set in turn to a NUL, a lone surrogate, 100 KB of text
 * and a blank. Every answer must be a 4xx problem+json (a blank free-text field may be
 * accepted, never a blank identifier), never a 500, and a rejected request must write no
 * row and no event anywhere. Afterwards the services' log must hold no 500 and no stack.
 */

type Schema = {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  example?: unknown;
  default?: unknown;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  allOf?: Schema[];
};
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: Schema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  security?: Array<Record<string, unknown>>;
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

const HOSTILE: Array<{ name: string; value: string }> = [
  { name: 'NUL', value: 'a\u0000b' },
  { name: 'lone surrogate', value: 'a\ud800b' },
  { name: '100 KB', value: 'x'.repeat(100 * 1024) },
  { name: 'blank', value: '   ' },
];

/**
 * Percent-encoding as a careless client does it: a lone surrogate, which has no UTF-8 form,
 * goes out as its WTF-8 bytes (`%ED%A0%80`) where encodeURIComponent would throw.
 */
function encodeWtf8(value: string): string {
  let out = '';
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0xd800 && cp <= 0xdfff) {
      out += [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    } else out += encodeURIComponent(ch);
  }
  return out;
}

/** Fields whose blank value must be refused (identifiers, codes, names). */
const IDENTIFIER = /(Id|Code|No)$|^(code|id|year)$/;

/** Offsets from now of the instant fields the documents have (ms). */
const INSTANTS: Record<string, number> = {
  ratedAt: -60_000,
  receivedAt: -120_000,
  transferredAt: -60_000,
  dueAt: 10 * 86_400_000,
  reportedAt: -60_000,
  contactedAt: -1_000,
  until: 5 * 86_400_000,
};

const FUZZ_ENV = {
  INTAKE_DEVICE_RATE: '100000',
  INTAKE_DEVICE_BURST: '100000',
  INTAKE_CLIENT_RATE: '100000',
  INTAKE_CLIENT_BURST: '100000',
  HEAVY_READ_PER_MINUTE: '100000',
  LOG_LEVEL: 'info',
};

describe('hostile input: every string field of every route of every service', () => {
  let db: TestDatabase;
  const apps: Record<'intake' | 'rectification' | 'statistics', INestApplication> = {} as never;
  let pg: Client;
  let logDir: string;
  let logFile: string;
  /** The jest worker's own log (Nest's static logger, TestFileLogger), and its size when this suite began. */
  let workerLog: string;
  let workerLogFrom = 0;
  let probes = 0;
  let device: Credential;
  let client: Credential;
  const ids: Record<string, string> = {};
  const admin = bearer('admin');
  const supervisor = bearer('supervisor');
  const operator = bearer('unit_operator', 'CN-01', { sub: 'op-1' });
  let countSql = '';
  const rowCount = async () => Number((await pg.query(countSql)).rows[0].n);

  beforeAll(async () => {
    db = await createTestDatabase('hostile_input');
    applyTestEnv(db.url);
    workerLog = process.env.LOG_FILE!;
    workerLogFrom = existsSync(workerLog) ? statSync(workerLog).size : 0;
    logDir = mkdtempSync(join(tmpdir(), 'hostile-'));
    logFile = join(logDir, 'services.log');
    Object.assign(process.env, FUZZ_ENV, { LOG_FILE: logFile });
    apps.intake = await startTestService(IntakeModule, INTAKE_APP);
    apps.rectification = await startTestService(RectificationModule, RECTIFICATION_APP);
    apps.statistics = await startTestService(StatisticsModule, STATISTICS_APP);
    pg = new Client({ connectionString: db.url });
    await pg.connect();

    const intake = () => request(apps.intake.getHttpServer());
    await intake().post('/api/v1/units').set('Authorization', admin).send({ code: 'CN-01', name: '区市场监督管理局' }).expect(201);
    const d = await intake().post('/api/v1/devices').set('Authorization', admin).send({ unitCode: 'CN-01', windowNo: 'A1' }).expect(201);
    device = { id: d.body.deviceId, secret: d.body.secret };
    ids.deviceId = device.id;
    const c = await intake().post('/api/v1/hotline-clients').set('Authorization', admin).send({ name: '12345' }).expect(201);
    client = { id: c.body.clientId, secret: c.body.secret };
    ids.clientId = client.id;
    const body = JSON.stringify({
      serviceRecordId: 'FUZZ-BASE',
      serviceItemCode: 'X-1',
      level: 1,
      ratedAt: new Date(Date.now() - 60_000).toISOString(),
    });
    const rated = await intake()
      .post('/api/v1/ratings')
      .set(deviceHeaders(device, 'POST', '/api/v1/ratings', body))
      .send(body)
      .expect(201);
    ids.ratingId = rated.body.id;
    const page = await eventually(
      async () => (await request(apps.rectification.getHttpServer()).get('/api/v1/cases').set('Authorization', supervisor)).body,
      (p: { items?: Array<{ id: string }> }) => (p.items?.length ?? 0) === 1,
    );
    ids.caseId = page.items![0]!.id;

    const tables = await pg.query<{ s: string; t: string }>(
      `SELECT table_schema AS s, table_name AS t FROM information_schema.tables
       WHERE table_schema IN ('intake', 'rectification', 'statistics', 'event_bus') AND table_type = 'BASE TABLE'
         AND table_name NOT IN ('rate_limits', 'scheduled_ticks', 'rejected_uploads')`,
      // Not data a rejected request stores: the shared limits' counters (written by every signed request), the claims
      // of scheduled work (written by timers, whatever the requests) and the record of refused upload items, which
      // exists to tell staff why an item was refused (GET /devices/{id}/rejected-uploads).
    );
    countSql = `SELECT ${tables.rows.map((r) => `(SELECT count(*) FROM "${r.s}"."${r.t}")`).join(' + ')} AS n`;
    await quiescent();
  });

  /**
   * Waits until what accepted requests set off has run its course: every outbox published and
   * the row count standing still over three reads, so that a later count sees only its own request.
   */
  async function quiescent(): Promise<void> {
    const unpublished = `SELECT ${['intake', 'rectification', 'statistics']
      .map((s) => `(SELECT count(*) FROM "${s}".outbox WHERE published_at IS NULL)`)
      .join(' + ')} AS n`;
    let last = -1;
    let still = 0;
    await eventually(
      async () => {
        const n = await rowCount();
        const pending = Number((await pg.query(unpublished)).rows[0].n);
        still = n === last && pending === 0 ? still + 1 : 0;
        last = n;
        return still;
      },
      (s) => s >= 3,
      20_000,
      100,
    );
  }

  afterAll(async () => {
    for (const key of [...Object.keys(FUZZ_ENV), 'LOG_FILE']) delete process.env[key];
    process.env.LOG_LEVEL = 'warn';
    await pg?.end();
    await Promise.all(Object.values(apps).map((a) => a?.close()));
    await db?.drop();
    if (!process.env.KEEP_FUZZ_LOG) rmSync(logDir, { recursive: true, force: true });
  });

  /** The bearer a route needs (the OpenAPI document says a bearer, not which role). */
  function tokenFor(path: string, method: string): string {
    if (/\/(units|devices|hotline-clients|calendar)|\/reports\/rebuild|\/hotline\/deliveries/.test(path)) return admin;
    if (/decide-|\/urge$|clear-suspect|confirm-suspect/.test(path)) return supervisor;
    if (/\/cases\/\{id\}\/|unresolved-reports/.test(path) && method === 'post') return operator;
    return supervisor;
  }

  function resolve(doc: OpenApi, schema: Schema | undefined): Schema {
    if (!schema) return {};
    if (schema.$ref) return resolve(doc, doc.components?.schemas?.[schema.$ref.split('/').pop()!]);
    if (schema.allOf) return Object.assign({}, ...schema.allOf.map((s) => resolve(doc, s))) as Schema;
    return schema;
  }

  /** A plausible value for a field (from its example, enum or format), so that mostly the fuzzed field is what is wrong. */
  function sample(doc: OpenApi, name: string, raw: Schema | undefined): unknown {
    const schema = resolve(doc, raw);
    // Instants relative to now (the examples' dates would open overdue cases, which background sweeps then write to).
    const instant = INSTANTS[name];
    if (instant !== undefined && schema.type === 'string') return new Date(Date.now() + instant).toISOString();
    if (schema.example !== undefined) return schema.example;
    if (schema.enum?.length) return schema.enum[0];
    if (schema.default !== undefined) return schema.default;
    if (schema.type === 'object' || schema.properties) {
      const out: Record<string, unknown> = {};
      for (const [key, prop] of Object.entries(schema.properties ?? {})) out[key] = sample(doc, key, prop);
      return out;
    }
    if (schema.type === 'array') return [sample(doc, name, schema.items)];
    if (schema.type === 'integer' || schema.type === 'number') return 1;
    if (schema.type === 'boolean') return true;
    if (schema.format === 'uuid') return ids[name] ?? '00000000-0000-4000-8000-000000000000';
    if (name === 'unitCode') return 'CN-01';
    if (name === 'phone') return '13800138000';
    return `v-${name}`;
  }

  /** Paths of every string field of a JSON value: `['reviewer', 'name']`, `['ratings', 0, 'comment']`. */
  function stringPaths(value: unknown, at: Array<string | number> = []): Array<Array<string | number>> {
    if (typeof value === 'string') return [at];
    if (Array.isArray(value)) return value.flatMap((v, i) => stringPaths(v, [...at, i]));
    if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => stringPaths(v, [...at, k]));
    return [];
  }

  function withValue(value: unknown, at: Array<string | number>, replacement: string): unknown {
    const copy = structuredClone(value) as Record<string | number, unknown>;
    let node = copy;
    for (const key of at.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
    node[at.at(-1)!] = replacement;
    return copy;
  }

  function pathParam(path: string, name: string): string {
    if (name === 'id') return path.includes('/cases/') ? ids.caseId! : ids.ratingId!;
    if (name === 'year') return '2024';
    if (name === 'ticketId') return 'T-FUZZ-1';
    return ids[name] ?? '00000000-0000-4000-8000-000000000000';
  }

  interface Probe {
    service: keyof typeof apps;
    method: string;
    path: string;
    url: string;
    body: unknown;
    field: string;
    hostile: string;
  }

  async function send(doc: OpenApi, probe: Probe, op: Operation) {
    const http = request(apps[probe.service].getHttpServer());
    const raw = probe.body === undefined ? '' : JSON.stringify(probe.body);
    const security = (op.security ?? []).flatMap((s) => Object.keys(s));
    let req = (http as unknown as Record<string, (url: string) => request.Test>)[probe.method]!(probe.url);
    if (security.includes('device-hmac')) req = req.set(deviceHeaders(device, probe.method.toUpperCase(), probe.url, raw));
    else if (security.includes('hotline-hmac')) req = req.set(clientHeaders(client, probe.method.toUpperCase(), probe.url, raw));
    else if (security.includes('bearer')) req = req.set('Authorization', tokenFor(probe.path, probe.method));
    void doc;
    if (probe.body !== undefined) req = req.set('Content-Type', 'application/json').send(raw);
    return req;
  }

  it('answers 4xx problem+json to every hostile string on every route, never 500, and writes nothing for a rejected request', async () => {
    const failures: string[] = [];
    const routes = new Set<string>();
    for (const service of ['intake', 'rectification', 'statistics'] as const) {
      const doc = (await request(apps[service].getHttpServer()).get('/docs-json').expect(200)).body as OpenApi;
      for (const [path, methods] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(methods)) {
          if (path === '/health' || path === '/metrics') continue;
          routes.add(`${service} ${method.toUpperCase()} ${path}`);
          const params = op.parameters ?? [];
          const pathValues = Object.fromEntries(params.filter((p) => p.in === 'path').map((p) => [p.name, pathParam(path, p.name)]));
          const queryValues: Record<string, string> = {};
          for (const p of params.filter((q) => q.in === 'query')) {
            const v = sample(doc, p.name, p.schema);
            if (p.required || typeof v === 'string') queryValues[p.name] = String(v);
          }
          const bodySchema = op.requestBody?.content?.['application/json']?.schema;
          const body = bodySchema ? sample(doc, 'body', bodySchema) : undefined;
          const build = (pv: Record<string, string>, qv: Record<string, string>) => {
            const p = path.replace(/\{(\w+)\}/g, (_m, n: string) => encodeWtf8(pv[n]!));
            const q = Object.entries(qv)
              .map(([k, v]) => `${encodeWtf8(k)}=${encodeWtf8(v)}`)
              .join('&');
            return q ? `${p}?${q}` : p;
          };
          const cases: Array<Omit<Probe, 'hostile' | 'service' | 'method' | 'path'> & { hostileValue: string; hostileName: string }> = [];
          for (const h of HOSTILE) {
            for (const name of Object.keys(pathValues))
              cases.push({
                url: build({ ...pathValues, [name]: h.value }, queryValues),
                body,
                field: `path ${name}`,
                hostileValue: h.value,
                hostileName: h.name,
              });
            for (const name of Object.keys(queryValues))
              cases.push({
                url: build(pathValues, { ...queryValues, [name]: h.value }),
                body,
                field: `query ${name}`,
                hostileValue: h.value,
                hostileName: h.name,
              });
            for (const at of stringPaths(body))
              cases.push({
                url: build(pathValues, queryValues),
                body: withValue(body, at, h.value),
                field: `body ${at.join('.')}`,
                hostileValue: h.value,
                hostileName: h.name,
              });
          }
          for (const c of cases) {
            probes++;
            const before = await rowCount();
            const res = await send(doc, { service, method, path, url: c.url, body: c.body, field: c.field, hostile: c.hostileName }, op);
            const label = `${service} ${method.toUpperCase()} ${path} ${c.field} = ${c.hostileName}: ${res.status}`;
            const leaf = c.field.split(/[ .]/).pop()!;
            const mayPass = c.hostileName === 'blank' && !IDENTIFIER.test(leaf);
            const itemIndex = c.field.startsWith('body ratings.') ? Number(c.field.split('.')[1]) : null;
            if (res.status >= 500) failures.push(`${label} (5xx)`);
            else if (res.status === 200 && itemIndex !== null && Array.isArray(res.body?.results)) {
              // An offline batch answers 200 with per-item results: the hostile item must be rejected on its own.
              const item = (res.body.results as Array<{ index: number; status: string; errors?: unknown[] }>)[itemIndex];
              if (!mayPass && (item?.status !== 'rejected' || !item.errors?.length)) failures.push(`${label} (item ${item?.status})`);
              if (item?.status === 'rejected' && (await rowCount()) !== before) failures.push(`${label} (rejected item wrote rows)`);
              if (item?.status !== 'rejected') await quiescent();
            } else if (res.status < 400) {
              if (!mayPass) failures.push(`${label} (accepted)`);
              await quiescent();
              continue;
            } else {
              if (!String(res.headers['content-type']).startsWith('application/problem+json')) failures.push(`${label} (not problem+json)`);
              if (res.body?.status !== res.status || typeof res.body?.code !== 'string') failures.push(`${label} (malformed problem)`);
              if (c.hostileName !== 'blank' && res.status === 400 && res.body.errors?.length === 0)
                failures.push(`${label} (no field named)`);
              const after = await rowCount();
              if (after !== before) failures.push(`${label} (wrote ${after - before} rows)`);
            }
          }
        }
      }
    }
    expect(failures).toEqual([]);
    // Every route of the three documents was probed, and enough of them to mean something.
    expect(routes.size).toBeGreaterThanOrEqual(30);
    expect(probes).toBeGreaterThan(300);
  });

  it("leaves no 500 and no stack trace in the services' log", async () => {
    // The logs are written asynchronously: read them once they have stopped growing.
    const read = () =>
      readFileSync(logFile, 'utf8') + (existsSync(workerLog) ? readFileSync(workerLog).subarray(workerLogFrom).toString('utf8') : '');
    let size = -1;
    await eventually(
      async () => {
        const now = read().length;
        const still = now === size;
        size = now;
        return still;
      },
      (still) => still,
      10_000,
      200,
    );
    // The services' log (LOG_FILE: every request's line, and an unhandled error with its stack, which the
    // problem filter logs) and what this suite added to the worker's log (Nest's static logger).
    const lines = read().split('\n').filter(Boolean);
    const entries = lines.map((line) => {
      try {
        return JSON.parse(line) as { level: number; msg?: string; res?: { statusCode?: unknown }; status?: unknown };
      } catch {
        return { level: 60, msg: `not a JSON log line: ${line.slice(0, 200)}` };
      }
    });
    expect(entries.filter((e) => e.msg === 'Nest application successfully started')).toHaveLength(3);
    // Every probe was answered and logged with its status (those Node's HTTP parser refused, as refused):
    // the check below sees every response.
    const requests = entries.filter((e) => e.msg === 'request completed');
    const refused = entries.filter((e) => e.msg === 'request refused');
    expect(requests.length + refused.length).toBeGreaterThanOrEqual(probes);
    expect(requests.filter((e) => typeof e.res?.statusCode !== 'number')).toEqual([]);
    expect(refused.filter((e) => typeof e.status !== 'number')).toEqual([]);
    const bad = lines.filter((line, i) => {
      const entry = entries[i]!;
      const status = Number(entry.res?.statusCode ?? entry.status ?? 0);
      return entry.level >= 50 || status >= 500 || /"stack"|\\n\s+at |"err":/.test(line);
    });
    expect(bad).toEqual([]);
  });
});
