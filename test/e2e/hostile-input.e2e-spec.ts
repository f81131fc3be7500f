import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';
import { ConsumerGroups } from '#libs/messaging';
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
import { type CaseBody, openCase, reviewEvent } from './rectification-fixtures.js';

/**
 * The fuzz suite: every operation of the three services' OpenAPI documents (less EXCLUDED, and the test counts them),
 * called by the roles its document names (`x-roles`; a signed route by its security scheme and `x-platform-channels`).
 * For each one:
 *
 * 1. a valid request built from the schema (plus FIXTURES, which make the ids and states it needs) succeeds, 2xx (a read
 *    for every role the document names), and every role it leaves out is refused 403;
 * 2. then every field of its path, query and JSON body is made wrong in turn, on a twin of that request: strings too
 *    long, with a NUL or a lone surrogate, of the wrong format; numbers negative, huge, fractional where integer, as
 *    strings; booleans as strings and numbers; objects and arrays where scalars are, and the reverse; required fields
 *    missing; unknown fields added (the validation pipe forbids them). Every answer must be a 4xx problem+json whose
 *    `errors` name exactly the field made wrong (a path the edge cannot route: `url`), never a 500; and the refused
 *    requests of a route must store nothing, table by table.
 *
 * Afterwards the services' log must hold no 500 and no stack.
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
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  minLength?: number;
  pattern?: string;
  nullable?: boolean;
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
  'x-roles'?: Role[];
  'x-platform-channels'?: string[];
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}
type Role = 'admin' | 'supervisor' | 'unit_operator';
type Service = 'intake' | 'rectification' | 'statistics';

/** One request of an operation: its path parameters, query (each value a string, or several) and JSON body. */
interface Target {
  path: Record<string, string>;
  query: Record<string, string | string[]>;
  body?: unknown;
}

/** One field made wrong: the field the answer must name, what was done to it, and the request. */
interface Fuzz {
  field: string;
  kind: string;
  target: Target;
}

/**
 * Operations not probed, each with its reason. The prompt stream is an event stream that stays open (answering 200
 * before it has read anything but its headers, which hostile-pad-streams probes).
 */
const EXCLUDED: Record<string, string> = {
  'intake GET /api/v1/pad/prompts/stream': 'a server-sent event stream: it never completes; hostile-pad-streams covers it',
};

const NUL = 'a\u0000b';
const SURROGATE = 'a\ud800b';

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
const IDENTIFIER = /(Id|Code|No|Ids)$|^(code|id|year|username|password|name|title)$/;

/** Offsets from now of the instant fields the documents have (ms). */
const INSTANTS: Record<string, number> = {
  ratedAt: -60_000,
  receivedAt: -120_000,
  transferredAt: -60_000,
  dueAt: 10 * 86_400_000,
  reportedAt: -60_000,
  contactedAt: -1_000,
  until: 14 * 86_400_000,
};

const FUZZ_ENV = {
  INTAKE_DEVICE_RATE: '100000',
  INTAKE_DEVICE_BURST: '100000',
  INTAKE_CLIENT_RATE: '100000',
  INTAKE_CLIENT_BURST: '100000',
  HEAVY_READ_PER_MINUTE: '100000',
  HEAVY_READ_CONCURRENCY: '16',
  LOG_LEVEL: 'info',
};

const clone = <T>(value: T): T => structuredClone(value);

/** Fuzzed requests in flight at once: they are independent, each refused (or a failure of its own). */
const CONCURRENCY = 4;

const IMPORT = 'intake POST /api/v1/imports/ratings';

async function inBatches<T>(items: T[], size: number, each: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(size, items.length) }, async () => {
      while (next < items.length) await each(items[next++]!);
    }),
  );
}

describe('hostile input: every field of every route of every service, by the roles its document names', () => {
  let db: TestDatabase;
  const apps: Record<Service, INestApplication> = {} as never;
  let pg: Client;
  let logDir: string;
  let logFile: string;
  /** The jest worker's own log (Nest's static logger, TestFileLogger), and its size when this suite began. */
  let workerLog: string;
  let workerLogFrom = 0;
  let probes = 0;
  let device: Credential;
  let hotline: Credential;
  let online: Credential;
  /** Ids that must exist, made in beforeAll: the path parameters and uuid fields of that name default to them. */
  const ids: Record<string, string> = {};
  const tokens: Record<Role, string> = {
    admin: bearer('admin', undefined, { sub: 'admin-1' }),
    supervisor: bearer('supervisor', undefined, { sub: 'sup-1' }),
    unit_operator: bearer('unit_operator', 'CN-01', { sub: 'op-1' }),
  };
  let countSql = '';
  /** The rows of every table that requests may write, by table. */
  const counts = async (): Promise<Record<string, number>> =>
    Object.fromEntries((await pg.query<{ t: string; n: string }>(countSql)).rows.map((r) => [r.t, Number(r.n)]));
  /** What grew between two counts: `intake.reviews +2`. */
  const grown = (from: Record<string, number>, to: Record<string, number>) =>
    Object.keys(to)
      .filter((t) => to[t] !== from[t])
      .map((t) => `${t} ${to[t]! - from[t]! > 0 ? '+' : ''}${to[t]! - from[t]!}`);
  let seq = 0;
  let publishes = 0;
  /** A value no earlier request used (codes, names, record ids that must be unique). */
  const unique = (prefix: string) => `${prefix}${Date.now().toString(36).toUpperCase()}${++seq}`;

  const http = (service: Service) => request(apps[service].getHttpServer());
  const as = (role: Role) => ({ Authorization: tokens[role] });
  const intakeCall = (method: 'post' | 'patch', path: string, role: Role, body: object) =>
    http('intake')[method](`/api/v1${path}`).set(as(role)).send(body);
  const caseAction = async (c: { id: string }, action: string, body: object, role: Role = 'unit_operator') =>
    (await http('rectification').post(`/api/v1/cases/${c.id}/${action}`).set(as(role)).send(body).expect(200)).body as CaseBody;

  /** A new bad-review case of CN-01 (with a contact), brought to a state by the actions a unit operator takes. */
  async function caseIn(state: 'PENDING' | 'ACCEPTED' | 'RESPONDED' | 'RECTIFIED' | 'CLOSED' | 'EXTENSION' | 'APPEALING') {
    const c = await openCase(apps.rectification, tokens.supervisor, reviewEvent({ serviceRecordId: unique('CN-') }));
    if (state === 'PENDING') return c;
    await caseAction(c, 'accept', {});
    if (state === 'EXTENSION') {
      await caseAction(c, 'request-extension', { reason: '需协调其他部门', until: new Date(Date.now() + INSTANTS.until!).toISOString() });
      return c;
    }
    if (state === 'APPEALING') {
      await caseAction(c, 'appeal', { reason: '评价人误评' });
      return c;
    }
    if (state === 'ACCEPTED') return c;
    await caseAction(c, 'respond', { contactedAt: new Date().toISOString(), method: 'PHONE', note: '已电话联系' });
    if (state === 'RESPONDED') return c;
    await caseAction(c, 'rectify', { outcome: 'RECTIFIED', measures: '增设窗口', problemCategory: 'EFFICIENCY_WAITING' });
    if (state === 'RECTIFIED') return c;
    await caseAction(c, 'feedback', { reviewerSatisfied: true, note: '评价人满意' });
    return c;
  }

  async function newUser(role: Role = 'supervisor') {
    const username = unique('fuzz.').toLowerCase();
    const created = await intakeCall('post', '/users', 'admin', {
      username,
      displayName: '测试用户',
      role,
      password: 'First-Pass-2024',
    }).expect(201);
    return { id: created.body.id as string, username };
  }

  async function loggedIn() {
    const { username } = await newUser();
    const tokens = await http('intake')
      .post('/api/v1/auth/password')
      .send({ username, currentPassword: 'First-Pass-2024', newPassword: 'Own-Pass-2024-x' })
      .expect(200);
    return { username, refreshToken: tokens.body.refreshToken as string };
  }

  async function problemClass() {
    const c = await caseIn('PENDING');
    const created = await http('rectification')
      .post('/api/v1/problem-classes')
      .set(as('supervisor'))
      .send({ title: '排队时间长', categoryCode: 'EFFICIENCY_WAITING', description: '周一上午排队', caseIds: [c.id] })
      .expect(201);
    return { id: created.body.id as string, caseId: c.id };
  }

  async function improvementAction(reported: boolean) {
    const cls = await problemClass();
    const added = await http('rectification')
      .post(`/api/v1/problem-classes/${cls.id}/actions`)
      .set(as('supervisor'))
      .send({ unitCode: 'CN-01', action: '增开窗口', workingDays: 5 })
      .expect(201);
    const actionId = (added.body as { actions: Array<{ id: string }> }).actions.at(-1)!.id;
    if (reported)
      await http('rectification')
        .post(`/api/v1/problem-classes/${cls.id}/actions/${actionId}/report`)
        .set(as('unit_operator'))
        .send({ report: '已增开两个窗口', evidence: ['照片-1'] })
        .expect(200);
    return { id: cls.id, actionId };
  }

  const publishedQuarters = new Set<string>();
  async function published(year: number, quarter: number) {
    if (publishedQuarters.has(`${year}-${quarter}`)) return;
    await http('statistics').post(`/api/v1/reports/quarterly/publish?year=${year}&quarter=${quarter}`).set(as('supervisor')).expect(201);
    publishedQuarters.add(`${year}-${quarter}`);
  }

  /**
   * What an operation needs beyond its schema's samples, as a change to the request built from them: the ids that
   * must exist and the states they must be in (a fresh one each call: the baseline and the fuzzing each get their
   * own), values that must be unique, and the sampled optional fields that do not go together.
   */
  const FIXTURES: Record<string, (t: Target) => unknown> = {
    'intake POST /api/v1/units': (t) => Object.assign(t.body as object, { code: unique('FZ-') }),
    'intake PATCH /api/v1/units/{code}': (t) => void (t.path.code = 'CN-01'),
    'intake POST /api/v1/devices': (t) => Object.assign(t.body as object, { unitCode: 'CN-01', windowNo: unique('W') }),
    'intake POST /api/v1/devices/{deviceId}/revoke': async (t) => {
      const d = await intakeCall('post', '/devices', 'admin', { unitCode: 'CN-01', windowNo: unique('W') }).expect(201);
      t.path.deviceId = d.body.deviceId;
    },
    'intake POST /api/v1/hotline-clients': (t) => Object.assign(t.body as object, { name: unique('热线') }),
    'intake POST /api/v1/hotline-clients/{clientId}/revoke': async (t) => {
      const c = await intakeCall('post', '/hotline-clients', 'admin', { name: unique('热线') }).expect(201);
      t.path.clientId = c.body.clientId;
    },
    'intake POST /api/v1/platform-clients': (t) => Object.assign(t.body as object, { name: unique('平台') }),
    'intake POST /api/v1/platform-clients/{clientId}/revoke': async (t) => {
      const c = await intakeCall('post', '/platform-clients', 'admin', { name: unique('平台'), channel: 'ONLINE' }).expect(201);
      t.path.clientId = c.body.clientId;
    },
    'intake POST /api/v1/ratings': (t) => Object.assign(t.body as object, { serviceRecordId: unique('CN-') }),
    'intake POST /api/v1/ratings/batch': (t) =>
      Object.assign((t.body as { ratings: object[] }).ratings[0]!, { serviceRecordId: unique('CN-') }),
    'intake POST /api/v1/online/ratings': (t) => Object.assign(t.body as object, { serviceRecordId: unique('CN-') }),
    'intake POST /api/v1/online/ratings/batch': (t) =>
      Object.assign((t.body as { ratings: object[] }).ratings[0]!, { serviceRecordId: unique('CN-'), unitCode: 'CN-01' }),
    'intake POST /api/v1/imports/ratings': (t) => {
      const item = (t.body as { ratings: Array<Record<string, unknown>> }).ratings[0]!;
      Object.assign(item, { serviceRecordId: unique('CN-'), ratedAt: '2019-06-03T10:15:00+08:00', channel: 'PAD' });
    },
    'intake POST /api/v1/hotline/complaints': (t) => Object.assign(t.body as object, { ticketId: unique('12345-') }),
    'intake POST /api/v1/ratings/{id}/clear-suspect': async (t) => void (t.path.id = await suspectRating()),
    'intake POST /api/v1/ratings/{id}/confirm-suspect': async (t) => void (t.path.id = await suspectRating()),
    'intake POST /api/v1/auth/login': async (t) => {
      const { username } = await loggedIn();
      Object.assign(t.body as object, { username, password: 'Own-Pass-2024-x' });
    },
    'intake POST /api/v1/auth/refresh': async (t) => Object.assign(t.body as object, { refreshToken: (await loggedIn()).refreshToken }),
    'intake POST /api/v1/auth/logout': async (t) => Object.assign(t.body as object, { refreshToken: (await loggedIn()).refreshToken }),
    'intake POST /api/v1/auth/password': async (t) => {
      const { username } = await newUser();
      Object.assign(t.body as object, { username, currentPassword: 'First-Pass-2024', newPassword: 'Own-Pass-2024-y' });
    },
    'intake POST /api/v1/users': (t) =>
      Object.assign(t.body as object, {
        username: unique('u.').toLowerCase(),
        role: 'unit_operator',
        unitCode: 'CN-01',
        password: 'First-Pass-2024',
      }),
    'intake PATCH /api/v1/users/{id}': async (t) => {
      t.path.id = (await newUser()).id;
      t.body = { displayName: '王芳', role: 'unit_operator', unitCode: 'CN-01', disabled: false };
    },
    'intake POST /api/v1/users/{id}/unlock': async (t) => void (t.path.id = (await newUser()).id),
    'intake POST /api/v1/users/{id}/reset-password': async (t) => {
      t.path.id = (await newUser()).id;
      t.body = { password: 'Reset-Pass-2024' };
    },
    'intake GET /api/v1/people/names': (t) => void (t.query.ids = ids.userId!),
    'intake GET /api/v1/audit': (t) => Object.assign(t.query, { from: '2026-01-01', to: '2026-12-31' }),
    'intake POST /api/v1/unresolved-reports': (t) => Object.assign(t.body as object, { unitCode: 'CN-01' }),
    'intake POST /api/v1/pairing/exchange': async (t) => {
      // Another device: an exchange gives the device a new secret, which the signed probes would then lack.
      const d = await intakeCall('post', '/devices', 'admin', { unitCode: 'CN-01', windowNo: unique('W') }).expect(201);
      const code = await http('intake').post(`/api/v1/devices/${d.body.deviceId}/pairing-codes`).set(as('admin')).expect(201);
      Object.assign(t.body as object, { code: code.body.code });
    },
    'rectification GET /api/v1/cases': (t) => {
      for (const k of ['serviceItemCode', 'problemCategory', 'q', 'from', 'to']) delete t.query[k];
    },
    'rectification POST /api/v1/cases/{id}/accept': async (t) => void (t.path.id = (await caseIn('PENDING')).id),
    'rectification POST /api/v1/cases/{id}/respond': async (t) => {
      t.path.id = (await caseIn('ACCEPTED')).id;
      Object.assign(t.body as object, { method: 'PHONE', contactedAt: new Date().toISOString() });
    },
    'rectification POST /api/v1/cases/{id}/rectify': async (t) => void (t.path.id = (await caseIn('RESPONDED')).id),
    'rectification POST /api/v1/cases/{id}/feedback': async (t) => void (t.path.id = (await caseIn('RECTIFIED')).id),
    'rectification POST /api/v1/cases/{id}/request-extension': async (t) => void (t.path.id = (await caseIn('ACCEPTED')).id),
    'rectification POST /api/v1/cases/{id}/decide-extension': async (t) => void (t.path.id = (await caseIn('EXTENSION')).id),
    'rectification POST /api/v1/cases/{id}/appeal': async (t) => void (t.path.id = (await caseIn('ACCEPTED')).id),
    'rectification POST /api/v1/cases/{id}/decide-appeal': async (t) => {
      t.path.id = (await caseIn('APPEALING')).id;
      Object.assign(t.body as object, { upheld: false });
    },
    'rectification POST /api/v1/cases/{id}/urge': async (t) => void (t.path.id = (await caseIn('PENDING')).id),
    'rectification PUT /api/v1/cases/{id}/publication': async (t) => void (t.path.id = (await caseIn('CLOSED')).id),
    'rectification GET /api/v1/calendar/{year}': (t) => void (t.path.year = '2027'),
    'rectification PUT /api/v1/calendar/{year}': (t) => {
      t.path.year = '2027';
      t.body = { days: [{ date: '2027-10-01', kind: 'HOLIDAY', name: '国庆节' }] };
    },
    'rectification POST /api/v1/calendar/{year}/confirm': (t) => void (t.path.year = '2027'),
    'rectification GET /api/v1/hotline/tickets/{ticketId}': (t) => void (t.path.ticketId = ids.ticketId!),
    'rectification POST /api/v1/problem-categories': (t) =>
      Object.assign(t.body as object, { code: unique('FUZZ_'), parentCode: 'EFFICIENCY', sort: 1 }),
    'rectification PATCH /api/v1/problem-categories/{code}': async (t) => {
      const code = unique('FUZZ_');
      await http('rectification').post('/api/v1/problem-categories').set(as('admin')).send({ code, name: '测试分类' }).expect(201);
      t.path.code = code;
    },
    'rectification POST /api/v1/problem-classes': async (t) =>
      Object.assign(t.body as object, { categoryCode: 'EFFICIENCY_WAITING', caseIds: [(await caseIn('PENDING')).id] }),
    'rectification GET /api/v1/problem-classes': (t) => void delete t.query.categoryCode,
    'rectification GET /api/v1/problem-classes/{id}': (t) => void (t.path.id = ids.classId!),
    'rectification POST /api/v1/problem-classes/{id}/cases': async (t) => {
      t.path.id = (await problemClass()).id;
      t.body = { caseIds: [(await caseIn('PENDING')).id] };
    },
    'rectification DELETE /api/v1/problem-classes/{id}/cases/{caseId}': async (t) => {
      const cls = await problemClass();
      const other = await caseIn('PENDING');
      await http('rectification')
        .post(`/api/v1/problem-classes/${cls.id}/cases`)
        .set(as('supervisor'))
        .send({ caseIds: [other.id] });
      Object.assign(t.path, { id: cls.id, caseId: other.id });
    },
    'rectification POST /api/v1/problem-classes/{id}/actions': async (t) => {
      t.path.id = (await problemClass()).id;
      t.body = { unitCode: 'CN-01', action: '增开窗口', workingDays: 5 };
    },
    'rectification POST /api/v1/problem-classes/{id}/actions/{actionId}/report': async (t) =>
      void Object.assign(t.path, await improvementAction(false)),
    'rectification POST /api/v1/problem-classes/{id}/actions/{actionId}/accept': async (t) =>
      void Object.assign(t.path, await improvementAction(true)),
    'rectification POST /api/v1/problem-classes/{id}/actions/{actionId}/return': async (t) =>
      void Object.assign(t.path, await improvementAction(true)),
    'statistics GET /api/v1/reports/quarterly/bulletin': (t) => void delete t.query.link,
    'statistics POST /api/v1/reports/quarterly/publish': (t) => {
      // An ended quarter nobody published yet.
      publishes++;
      Object.assign(t.query, { year: String(2010 + publishes), quarter: '2' });
    },
    'statistics GET /api/v1/public/quarters/{year}/{quarter}': async (t) => {
      await published(2024, 4);
      Object.assign(t.path, { year: '2024', quarter: '4' });
    },
    'statistics GET /api/v1/reports/summary': (t) => Object.assign(t.query, { from: '2024-01-01', to: '2024-11-30' }),
  };

  /** A rating marked suspect, as the burst rules mark one (their own suites prove when they do). */
  async function suspectRating(): Promise<string> {
    const body = JSON.stringify({
      serviceRecordId: unique('CN-'),
      serviceItemCode: 'X-1',
      level: 5,
      ratedAt: new Date(Date.now() - 60_000).toISOString(),
    });
    const rated = await http('intake')
      .post('/api/v1/ratings')
      .set(deviceHeaders(device, 'POST', '/api/v1/ratings', body))
      .send(body)
      .expect(201);
    await pg.query(`UPDATE intake.reviews SET suspect = true, suspect_reason = 'SAME_DEVICE_BURST' WHERE id = $1`, [rated.body.id]);
    return rated.body.id as string;
  }

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

    await intakeCall('post', '/units', 'admin', { code: 'CN-01', name: '区市场监督管理局' }).expect(201);
    const d = await intakeCall('post', '/devices', 'admin', { unitCode: 'CN-01', windowNo: 'A1' }).expect(201);
    device = { id: d.body.deviceId, secret: d.body.secret };
    ids.deviceId = device.id;
    const c = await intakeCall('post', '/hotline-clients', 'admin', { name: '12345' }).expect(201);
    hotline = { id: c.body.clientId, secret: c.body.secret };
    ids.clientId = hotline.id;
    const p = await intakeCall('post', '/platform-clients', 'admin', { name: '一网通办', channel: 'ONLINE' }).expect(201);
    online = { id: p.body.clientId, secret: p.body.secret };
    ids.userId = (await newUser()).id;
    const body = JSON.stringify({
      serviceRecordId: 'FUZZ-BASE',
      serviceItemCode: 'X-1',
      level: 1,
      ratedAt: new Date(Date.now() - 60_000).toISOString(),
    });
    const rated = await http('intake')
      .post('/api/v1/ratings')
      .set(deviceHeaders(device, 'POST', '/api/v1/ratings', body))
      .send(body)
      .expect(201);
    ids.ratingId = rated.body.id;
    ids.caseId = (
      await eventually(
        async () => (await http('rectification').get('/api/v1/cases').set(as('supervisor'))).body,
        (page: { items?: Array<{ id: string }> }) => (page.items?.length ?? 0) === 1,
      )
    ).items![0]!.id;
    // A hotline ticket, which rectification answers to its hotline client (once it knows the client, through intake's event).
    ids.ticketId = unique('12345-');
    const complaint = JSON.stringify({
      ticketId: ids.ticketId,
      unitCode: 'CN-01',
      category: 'COMPLAINT',
      content: '窗口工作人员态度差',
      receivedAt: new Date(Date.now() - 120_000).toISOString(),
      transferredAt: new Date(Date.now() - 60_000).toISOString(),
    });
    await http('intake')
      .post('/api/v1/hotline/complaints')
      .set(clientHeaders(hotline, 'POST', '/api/v1/hotline/complaints', complaint))
      .send(complaint)
      .expect(201);
    const ticketUrl = `/api/v1/hotline/tickets/${ids.ticketId}`;
    await eventually(
      async () =>
        (
          await http('rectification')
            .get(ticketUrl)
            .set(clientHeaders(hotline, 'GET', ticketUrl, ''))
        ).status,
      (status) => status === 200,
    );
    // A class with an action of CN-01, which its unit operator may read.
    ids.classId = (await improvementAction(false)).id;

    const tables = await pg.query<{ s: string; t: string }>(
      `SELECT table_schema AS s, table_name AS t FROM information_schema.tables
       WHERE table_schema IN ('intake', 'rectification', 'statistics', 'event_bus') AND table_type = 'BASE TABLE'
         AND table_name NOT IN ('rate_limits', 'scheduled_ticks', 'rejected_uploads')`,
      // Not data a rejected request stores: the shared limits' counters (written by every signed request), the claims
      // of scheduled work (written by timers, whatever the requests) and the record of refused upload items, which
      // exists to tell staff why an item was refused (GET /devices/{id}/rejected-uploads).
    );
    countSql = tables.rows.map((r) => `SELECT '${r.s}.${r.t}' AS t, count(*) AS n FROM "${r.s}"."${r.t}"`).join(' UNION ALL ');
    await quiescent();
  }, 60_000);

  /**
   * Waits until what accepted requests set off has run its course: every outbox published, every consumer group at
   * the end of the bus for its topics (a group moves its offset once the effects of what it read are committed), and
   * the row count the same over two such reads, so that a later count sees only its own requests.
   */
  async function quiescent(): Promise<void> {
    if (!drainSql) {
      const groups = Object.values(apps).flatMap((app) => app.get(ConsumerGroups).list());
      const lag = groups.map(
        (g) =>
          `(SELECT count(*) FROM event_bus.events e WHERE e.topic = ANY(${literalArray(g.topics)}) AND e.seq >
             coalesce((SELECT last_seq FROM event_bus.group_offsets WHERE group_id = '${g.groupId}'), 0))`,
      );
      const pending = ['intake', 'rectification', 'statistics'].map(
        (s) => `(SELECT count(*) FROM "${s}".outbox WHERE published_at IS NULL)`,
      );
      drainSql = `SELECT ${[...pending, ...lag].join(' + ')} AS backlog, (SELECT sum(n) FROM (${countSql}) c) AS n`;
    }
    let last = -1;
    await eventually(
      async () => {
        const row = (await pg.query<{ backlog: string; n: string }>(drainSql)).rows[0]!;
        const n = Number(row.backlog) === 0 ? Number(row.n) : -1;
        const done = n !== -1 && n === last;
        last = n;
        return done;
      },
      (done) => done,
      20_000,
      20,
    );
  }
  let drainSql = '';
  const literalArray = (values: string[]) => `ARRAY[${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ')}]::text[]`;

  afterAll(async () => {
    for (const key of [...Object.keys(FUZZ_ENV), 'LOG_FILE']) delete process.env[key];
    process.env.LOG_LEVEL = 'warn';
    await pg?.end();
    await Promise.all(Object.values(apps).map((a) => a?.close()));
    await db?.drop();
    if (!process.env.KEEP_FUZZ_LOG) rmSync(logDir, { recursive: true, force: true });
  });

  function resolve(doc: OpenApi, schema: Schema | undefined): Schema {
    if (!schema) return {};
    if (schema.$ref) return resolve(doc, doc.components?.schemas?.[schema.$ref.split('/').pop()!]);
    if (schema.allOf) return Object.assign({}, ...schema.allOf.map((s) => resolve(doc, s))) as Schema;
    return schema;
  }

  /** A valid value for a field (from its example, enum or format), every optional property included. */
  function sample(doc: OpenApi, name: string, raw: Schema | undefined): unknown {
    const schema = resolve(doc, raw);
    // Instants relative to now (the examples' dates would open overdue cases, which background sweeps then write to).
    const instant = INSTANTS[name];
    if (instant !== undefined && schema.type === 'string') return new Date(Date.now() + instant).toISOString();
    if (schema.example !== undefined) return clone(schema.example);
    if (schema.enum?.length) return schema.enum[0];
    if (schema.default !== undefined) return schema.default;
    if (schema.type === 'object' || schema.properties) {
      const out: Record<string, unknown> = {};
      for (const [key, prop] of Object.entries(schema.properties ?? {})) out[key] = sample(doc, key, prop);
      return out;
    }
    if (schema.type === 'array') return [sample(doc, name, schema.items)];
    if (schema.type === 'integer' || schema.type === 'number') return schema.minimum ?? 1;
    if (schema.type === 'boolean') return false;
    if (ids[name] !== undefined) return ids[name];
    if (schema.format === 'uuid') return ids[name.replace(/s$/, '')] ?? randomUUID();
    if (name === 'unitCode') return 'CN-01';
    if (name === 'phone') return '13800138000';
    return `v-${name}`;
  }

  function baseTarget(doc: OpenApi, path: string, op: Operation): Target {
    const params = op.parameters ?? [];
    const target: Target = { path: {}, query: {} };
    for (const p of params.filter((x) => x.in === 'path')) {
      target.path[p.name] =
        p.name === 'id' ? (path.includes('/cases/') ? ids.caseId! : ids.ratingId!) : (ids[p.name] ?? String(sample(doc, p.name, p.schema)));
    }
    for (const p of params.filter((x) => x.in === 'query')) target.query[p.name] = String(sample(doc, p.name, p.schema));
    const bodySchema = op.requestBody?.content?.['application/json']?.schema;
    if (bodySchema) target.body = sample(doc, 'body', bodySchema);
    return target;
  }

  function url(path: string, t: Target): string {
    const p = path.replace(/\{(\w+)\}/g, (_m, n: string) => encodeWtf8(t.path[n]!));
    const q = Object.entries(t.query)
      .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((one) => `${encodeWtf8(k)}=${encodeWtf8(one)}`))
      .join('&');
    return q ? `${p}?${q}` : p;
  }

  /** How an operation is called: bearer of a role, or signed by the credential its security scheme names. */
  function caller(op: Operation): { role?: Role; signer?: (method: string, url: string, body: string) => Record<string, string> } {
    const schemes = (op.security ?? []).flatMap((s) => Object.keys(s));
    const roles = op['x-roles'];
    if (schemes.includes('bearer') && roles?.length) return { role: roles[0]! };
    if (schemes.includes('device-hmac')) return { signer: (m, u, b) => deviceHeaders(device, m, u, b) };
    if (schemes.includes('hotline-hmac')) {
      const client = op['x-platform-channels']?.includes('ONLINE') ? online : hotline;
      return { signer: (m, u, b) => clientHeaders(client, m, u, b) };
    }
    return {};
  }

  async function send(service: Service, method: string, path: string, op: Operation, t: Target, role?: Role) {
    const target = url(path, t);
    const raw = t.body === undefined ? '' : JSON.stringify(t.body);
    const how = caller(op);
    let req = (http(service) as unknown as Record<string, (u: string) => request.Test>)[method]!(target);
    const asRole = role ?? how.role;
    if (asRole) req = req.set('Authorization', tokens[asRole]);
    else if (how.signer) req = req.set(how.signer(method.toUpperCase(), target, raw));
    if (t.body !== undefined) req = req.set('Content-Type', 'application/json').send(raw);
    return req;
  }

  /** Every field of a body made wrong in each way its schema allows, one at a time. */
  function bodyFuzzes(
    doc: OpenApi,
    raw: Schema | undefined,
    value: unknown,
    at: Array<string | number>,
    out: Array<[Array<string | number>, string, unknown]>,
    required = true,
  ) {
    const schema = resolve(doc, raw);
    const name = String(at.filter((k) => typeof k === 'string').at(-1) ?? '');
    const wrong = (kind: string, v: unknown) => out.push([at, kind, v]);
    if ((schema.type === 'object' || schema.properties) && value && typeof value === 'object' && !Array.isArray(value)) {
      if (at.length) {
        wrong('a string where an object is', 'x');
        wrong('an array where an object is', [value]);
      }
      const obj = value as Record<string, unknown>;
      for (const [key, prop] of Object.entries(schema.properties ?? {})) {
        if (key in obj) bodyFuzzes(doc, prop, obj[key], [...at, key], out, (schema.required ?? []).includes(key));
      }
      for (const key of schema.required ?? []) out.push([[...at, key], 'missing', undefined]);
      out.push([[...at, 'unexpectedField'], 'unknown', 1]);
      return;
    }
    if (schema.type === 'array') {
      wrong('a string where an array is', 'x');
      wrong('an object where an array is', {});
      if (Array.isArray(value) && value.length) bodyFuzzes(doc, schema.items, value[0], [...at, 0], out);
      return;
    }
    if (schema.type === 'integer' || schema.type === 'number') {
      if ((schema.minimum ?? 0) >= 0) wrong('negative', -1);
      wrong('huge', 1e20);
      if (schema.type === 'integer') wrong('fractional', 1.5);
      wrong('NaN as a string', 'NaN');
      wrong('a number as a string', String(value));
      wrong('a boolean where a number is', true);
      wrong('an object where a number is', {});
      return;
    }
    if (schema.type === 'boolean') {
      wrong('a boolean as a string', 'true');
      wrong('a boolean as a number', 1);
      wrong('an array where a boolean is', [true]);
      return;
    }
    // A string.
    wrong('too long', 'x'.repeat(schema.maxLength !== undefined ? schema.maxLength + 1 : 100 * 1024));
    wrong('a NUL', NUL);
    wrong('a lone surrogate', SURROGATE);
    if (schema.enum) wrong('not one of its values', 'NOT_ONE_OF_THEM');
    else if (schema.format === 'uuid') wrong('not a uuid', 'not-a-uuid');
    else if (INSTANTS[name] !== undefined || /At$/.test(name) || schema.format === 'date-time')
      wrong('not an instant', '2024-13-45T99:00:00+08:00');
    // Blank: for a required identifier, code or name (an optional free-text field left blank counts as not given).
    if (required && (IDENTIFIER.test(name) || schema.enum || schema.format)) wrong('blank', '   ');
    wrong('a number where a string is', 12345);
    wrong('an object where a string is', { value: 'x' });
    wrong('an array where a string is', ['x']);
  }

  function withValue(value: unknown, at: Array<string | number>, replacement: unknown): unknown {
    const copy = clone(value) as Record<string | number, unknown>;
    let node = copy;
    for (const key of at.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
    if (replacement === undefined) delete node[at.at(-1)!];
    else node[at.at(-1)!] = replacement;
    return copy;
  }

  function fuzzes(doc: OpenApi, op: Operation, t: Target): Fuzz[] {
    const out: Fuzz[] = [];
    const params = op.parameters ?? [];
    for (const p of params.filter((x) => x.in === 'path')) {
      const schema = resolve(doc, p.schema);
      const set = (kind: string, v: string, field = p.name) =>
        out.push({ field, kind, target: { ...t, path: { ...t.path, [p.name]: v } } });
      set('a NUL', NUL);
      // A path that cannot be decoded, or is longer than any route's, is refused before routing, which alone knows
      // the parameters' names: the answer names the `url`.
      set('a lone surrogate', SURROGATE, 'url');
      set('too long', 'x'.repeat(300), 'url');
      if (schema.type === 'number' || schema.type === 'integer') {
        set('not a number', 'abc');
        set('fractional', '1.5');
        set('negative', '-1');
      } else if (/^[0-9a-f-]{36}$/.test(t.path[p.name]!)) set('not a uuid', 'not-a-uuid');
    }
    const queryParams = params.filter((x) => x.in === 'query');
    for (const p of queryParams) {
      const schema = resolve(doc, p.schema);
      const set = (kind: string, v: string | string[] | undefined) => {
        const query = { ...t.query };
        if (v === undefined) delete query[p.name];
        else query[p.name] = v;
        out.push({ field: p.name, kind, target: { ...t, query } });
      };
      const given = t.query[p.name];
      if (given === undefined) continue;
      set('given twice', [String(given), String(given)]);
      if (p.required) set('missing', undefined);
      if (schema.type === 'number' || schema.type === 'integer') {
        set('not a number', 'abc');
        set('NaN', 'NaN');
        set('huge', '1e400');
        set('fractional', '1.5');
        if ((schema.minimum ?? 0) >= 0) set('negative', '-1');
      } else if (schema.type === 'boolean') {
        set('not a boolean', 'maybe');
        set('a boolean as a number', '1');
      } else {
        set('a NUL', NUL);
        set('a lone surrogate', SURROGATE);
        set('too long', 'x'.repeat(schema.maxLength !== undefined ? schema.maxLength + 1 : 2000));
        if (schema.enum) set('not one of its values', 'NOT_ONE_OF_THEM');
        else if (/^\d{4}-\d{2}-\d{2}$/.test(String(given))) set('not a date', '2024-13-45');
      }
    }
    if (queryParams.length)
      out.push({ field: 'unexpectedParam', kind: 'unknown', target: { ...t, query: { ...t.query, unexpectedParam: '1' } } });
    const bodySchema = op.requestBody?.content?.['application/json']?.schema;
    if (bodySchema && t.body !== undefined) {
      const found: Array<[Array<string | number>, string, unknown]> = [];
      bodyFuzzes(doc, bodySchema, t.body, [], found);
      for (const [at, kind, v] of found) out.push({ field: at.join('.'), kind, target: { ...t, body: withValue(t.body, at, v) } });
    }
    return out;
  }

  /**
   * The fields an answer names, compared with the one made wrong: exactly it — or, for an item of an array of scalars
   * (validated `each`), the array.
   */
  function namesExactly(named: string[], field: string): boolean {
    const unique = [...new Set(named)];
    return unique.length === 1 && (unique[0] === field || unique[0] === field.replace(/\.\d+$/, ''));
  }

  it('answers every fuzzed field of every route 4xx problem+json naming that field, never 500, and stores nothing', async () => {
    const failures: string[] = [];
    const documented = new Set<string>();
    const probed = new Set<string>();
    for (const service of ['intake', 'rectification', 'statistics'] as const) {
      const doc = (await http(service).get('/docs-json').expect(200)).body as OpenApi;
      for (const [path, methods] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(methods)) {
          const key = `${service} ${method.toUpperCase()} ${path}`;
          documented.add(key);
          if (EXCLUDED[key]) continue;
          const make = async () => {
            const t = baseTarget(doc, path, op);
            await FIXTURES[key]?.(t);
            return t;
          };
          let twin: Target;
          let baseline: Target;
          try {
            twin = await make();
            baseline = await make();
          } catch (err) {
            failures.push(`${key} fixture: ${String(err)}`);
            continue;
          }
          // The request as it should be succeeds.
          const how = caller(op);
          const ok = await send(service, method, path, op, baseline);
          if (ok.status < 200 || ok.status >= 300) {
            failures.push(`${key} baseline as ${how.role ?? 'signed/anonymous'}: ${ok.status} ${JSON.stringify(ok.body).slice(0, 300)}`);
            continue;
          }
          probed.add(key);
          // A read answers every role the document names (a change of state is made once, by the first).
          for (const other of method === 'get' ? (op['x-roles'] ?? []).slice(1) : []) {
            const res = await send(service, method, path, op, baseline, other);
            if (res.status < 200 || res.status >= 300)
              failures.push(`${key} baseline as ${other}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
          }
          await quiescent();
          const from = await counts();
          // The roles the document leaves out are refused.
          const roles = op['x-roles'];
          for (const other of (['admin', 'supervisor', 'unit_operator'] as const).filter((r) => roles && !roles.includes(r))) {
            const res = await send(service, method, path, op, twin, other);
            if (res.status !== 403) failures.push(`${key} as ${other}, not in x-roles: ${res.status}`);
          }
          // Each field made wrong in turn, a few requests at a time: each must be refused naming that field.
          let accepted = 0;
          let importsAnswered = 0;
          await inBatches(fuzzes(doc, op, twin), CONCURRENCY, async (f) => {
            probes++;
            const res = await send(service, method, path, op, f.target);
            const label = `${key} ${f.field} ${f.kind}: ${res.status}`;
            const itemIndex = /^ratings\.\d+(\.|$)/.test(f.field) ? Number(f.field.split('.')[1]) : null;
            if (res.status >= 500) failures.push(`${label} (5xx)`);
            else if (res.status === 200 && itemIndex !== null && Array.isArray(res.body?.results)) {
              // A batch answers 200 with per-item results: the wrong item must be rejected on its own, naming the field.
              if (key === IMPORT) importsAnswered++;
              const item = (res.body.results as Array<{ status: string; errors?: Array<{ field: string }> }>)[itemIndex];
              const field = f.field.split('.').slice(2).join('.');
              const itemNames = (item?.errors ?? []).map((e) => e.field);
              if (item?.status !== 'rejected') {
                accepted++;
                failures.push(`${label} (item ${item?.status})`);
              }
              // An item that is not an object at all is named as the item ('').
              else if (field ? !namesExactly(itemNames, field) : itemNames.join() !== '')
                failures.push(`${label} (item names ${JSON.stringify(itemNames)})`);
            } else if (res.status < 400) {
              accepted++;
              failures.push(`${label} (accepted)`);
            } else {
              if (!String(res.headers['content-type']).startsWith('application/problem+json')) failures.push(`${label} (not problem+json)`);
              if (res.body?.status !== res.status || typeof res.body?.code !== 'string') failures.push(`${label} (malformed problem)`);
              const named = ((res.body?.errors ?? []) as Array<{ field: string }>).map((e) => e.field);
              if (!namesExactly(named, f.field)) failures.push(`${label} (names ${JSON.stringify(named)})`);
            }
          });
          // Nothing refused was stored: an import records itself in the audit log, whatever became of its items.
          const to = await counts();
          if (key === IMPORT) to['intake.audit_log']! -= importsAnswered;
          const stored = grown(from, to);
          if (stored.length && !accepted) failures.push(`${key}: refused requests stored rows: ${stored.join(', ')}`);
          if (stored.length) await quiescent();
        }
      }
    }
    expect(failures).toEqual([]);
    // Every documented operation was probed, bar the excluded ones, each of which the documents still have.
    expect(Object.keys(EXCLUDED).filter((key) => !documented.has(key))).toEqual([]);
    expect([...documented].filter((key) => !probed.has(key) && !EXCLUDED[key])).toEqual([]);
    expect(probed.size).toBe(documented.size - Object.keys(EXCLUDED).length);
    expect(probed.size).toBeGreaterThanOrEqual(90);
  }, 120_000);

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
