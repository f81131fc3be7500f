import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';
import { INTAKE_APP, IntakeModule } from '../../apps/intake/src/intake.module.js';
import {
  applyTestEnv,
  bearer,
  clientHeaders,
  createTestDatabase,
  type Credential,
  deviceHeaders,
  registerDevice,
  startTestService,
  type TestDatabase,
} from '#libs/testing';

const DAY = 86_400_000;
const COMPLAINTS = '/api/v1/hotline/complaints';
const IMPORTS = '/api/v1/imports/ratings';

describe('intake: time bounds no client can bend, history imports, 12345 categories and ticket scoping', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let pg: Client;
  let device: Credential;
  let hotlineA: Credential;
  let hotlineB: Credential;
  const admin = bearer('admin');
  const http = () => request(app.getHttpServer());
  let seq = 0;
  const rating = (over: Record<string, unknown> = {}) => ({
    serviceRecordId: `TB-${++seq}`,
    serviceItemCode: '310105-XK-0001',
    level: 5,
    ratedAt: new Date(Date.now() - 60_000).toISOString(),
    ...over,
  });
  const signed = (path: string, body: unknown, cred: Credential, headers = deviceHeaders) => {
    const raw = JSON.stringify(body);
    return http()
      .post(path)
      .set(headers(cred, 'POST', path, raw))
      .set('Content-Type', 'application/json')
      .send(raw);
  };
  const count = async (where: string, params: unknown[]) =>
    Number((await pg.query(`SELECT count(*) AS n FROM intake.reviews WHERE ${where}`, params)).rows[0].n);

  beforeAll(async () => {
    db = await createTestDatabase('intake_bounds');
    applyTestEnv(db.url);
    process.env.RATING_MAX_AGE_DAYS = '7'; // configuration, not the default 30
    app = await startTestService(IntakeModule, INTAKE_APP);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    device = await registerDevice(app.getHttpServer(), { code: 'CN-01', name: '区市场监督管理局' }, 'A01');
    await http().post('/api/v1/units').set('Authorization', admin).send({ code: 'CN-02', name: '区人社局' }).expect(201);
    for (const name of ['区12345热线', '市12345热线']) {
      const res = await http().post('/api/v1/hotline-clients').set('Authorization', admin).send({ name }).expect(201);
      (name.startsWith('区') ? (c: Credential) => (hotlineA = c) : (c: Credential) => (hotlineB = c))({
        id: res.body.clientId,
        secret: res.body.secret,
      });
    }
  });

  afterAll(async () => {
    await pg?.end();
    await app?.close();
    await db?.drop();
  });

  describe('a device rating: ratedAt within RATING_MAX_AGE_DAYS before receipt and at most 300 s ahead', () => {
    it.each([
      ['dated 1999 (a PAD clock reset)', '1999-12-31T23:59:59+08:00', /7 days before receipt/],
      ['8 days old, beyond the configured 7', () => new Date(Date.now() - 8 * DAY).toISOString(), /7 days before receipt/],
      ['10 minutes ahead', () => new Date(Date.now() + 600_000).toISOString(), /300 seconds in the future/],
    ])('refuses one %s: 400 naming ratedAt (with every other bad field), nothing stored', async (_what, ratedAt, message) => {
      const body = rating({ ratedAt: typeof ratedAt === 'function' ? ratedAt() : ratedAt, level: 9 });
      const res = await signed('/api/v1/ratings', body, device).expect(400);
      expect(res.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
      expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['level', 'ratedAt']);
      expect(res.body.errors.find((e: { field: string }) => e.field === 'ratedAt').message).toMatch(message);
      expect(await count('service_record_id = $1', [body.serviceRecordId])).toBe(0);
      // Alone (the fast path's territory) it is refused just the same.
      const alone = await signed('/api/v1/ratings', { ...body, level: 5 }, device).expect(400);
      expect(alone.body.errors).toEqual([{ field: 'ratedAt', message: expect.stringMatching(message) }]);
    });

    it('accepts 6 days old; in a batch an item out of bounds is rejected on its own, naming ratedAt', async () => {
      const ok = rating({ ratedAt: new Date(Date.now() - 6 * DAY).toISOString() });
      expect((await signed('/api/v1/ratings', ok, device).expect(201)).body.duplicate).toBe(false);
      const old = rating({ ratedAt: '2024-11-20T09:30:00+08:00' });
      const fine = rating();
      const batch = await signed('/api/v1/ratings/batch', { ratings: [old, fine] }, device).expect(200);
      expect(batch.body.results).toEqual([
        { index: 0, status: 'rejected', errors: [{ field: 'ratedAt', message: expect.stringMatching(/7 days before receipt/) }] },
        { index: 1, status: 'created', id: expect.any(String) },
      ]);
      expect(await count('service_record_id = $1', [old.serviceRecordId])).toBe(0);
    });
  });

  describe('POST /imports/ratings (admin)', () => {
    it('imports history from 2000 on: per-item results, idempotent, marked imported, events marked imported, no burst check', async () => {
      // Ten ratings of one window within 9 s: a burst from a PAD, ordinary history from an import.
      const items = Array.from({ length: 10 }, (_, i) =>
        rating({
          serviceRecordId: `H-2019-${i}`,
          level: i === 3 ? 1 : 5,
          tags: i === 3 ? ['ATTITUDE'] : undefined,
          ratedAt: `2019-06-03T10:15:0${i}+08:00`,
        }),
      );
      const bad = [
        rating({ serviceRecordId: 'H-1999', ratedAt: '1999-12-31T23:59:59+08:00' }),
        rating({ serviceRecordId: 'H-future', ratedAt: new Date(Date.now() + 3_600_000).toISOString() }),
        { ...rating({ serviceRecordId: 'H-extra' }), extra: 1 },
      ];
      const res = await http()
        .post(IMPORTS)
        .set('Authorization', admin)
        .send({ unitCode: 'CN-01', windowNo: 'A03', ratings: [...items, ...bad] })
        .expect(200);
      expect(res.body.results.slice(0, 10)).toEqual(items.map((_, index) => ({ index, status: 'created', id: expect.any(String) })));
      expect(res.body.results.slice(10)).toEqual([
        { index: 10, status: 'rejected', errors: [{ field: 'ratedAt', message: expect.stringMatching(/before 2000-01-01/) }] },
        { index: 11, status: 'rejected', errors: [{ field: 'ratedAt', message: expect.stringMatching(/300 seconds in the future/) }] },
        { index: 12, status: 'rejected', errors: [{ field: 'extra', message: expect.any(String) }] },
      ]);
      const rows = (
        await pg.query(
          `SELECT id, unit_code, channel, window_no, device_id, imported, suspect, grade, rated_at, received_at FROM intake.reviews
           WHERE service_record_id LIKE 'H-%' ORDER BY service_record_id`,
        )
      ).rows;
      expect(rows).toHaveLength(10);
      for (const row of rows) {
        expect(row).toMatchObject({
          unit_code: 'CN-01',
          channel: 'PAD',
          window_no: 'A03',
          device_id: null,
          imported: true,
          suspect: false,
        });
        expect(Math.abs(row.received_at.getTime() - Date.now())).toBeLessThan(60_000); // the clock starts at receipt
      }
      expect(rows[0].rated_at.toISOString()).toBe('2019-06-03T02:15:00.000Z');
      const events = (
        await pg.query(`SELECT message_key, payload FROM intake.outbox WHERE payload->'data'->>'serviceRecordId' LIKE 'H-%' ORDER BY id`)
      ).rows;
      expect(events).toHaveLength(10);
      expect(events[3]).toMatchObject({
        message_key: 'CN-01',
        payload: {
          type: 'gov.review.submitted',
          data: { imported: true, grade: 'BAD', windowNo: 'A03', ratedAt: '2019-06-03T02:15:03.000Z', suspect: false },
        },
      });

      // Again: every item a duplicate with the same id, nothing new stored or emitted; a changed body is ALREADY_RATED.
      const again = await http()
        .post(IMPORTS)
        .set('Authorization', admin)
        .send({ unitCode: 'CN-01', windowNo: 'A03', ratings: [...items.slice(0, 2), { ...items[2], level: 4 }] })
        .expect(200);
      expect(again.body.results).toEqual([
        { index: 0, status: 'duplicate', id: res.body.results[0].id },
        { index: 1, status: 'duplicate', id: res.body.results[1].id },
        { index: 2, status: 'rejected', errors: [{ field: 'serviceRecordId', message: expect.stringMatching(/ALREADY_RATED/) }] },
      ]);
      expect(await count(`service_record_id LIKE 'H-%'`, [])).toBe(10);
      expect(
        Number((await pg.query(`SELECT count(*) AS n FROM intake.outbox WHERE payload->'data'->>'serviceRecordId' LIKE 'H-%'`)).rows[0].n),
      ).toBe(10);
    });

    it('is the same rating as a PAD one of the same record (idempotent on unitCode + serviceRecordId)', async () => {
      const body = rating();
      const pad = await signed('/api/v1/ratings', body, device).expect(201);
      const imported = await http()
        .post(IMPORTS)
        .set('Authorization', admin)
        .send({ unitCode: 'CN-01', ratings: [body] })
        .expect(200);
      expect(imported.body.results).toEqual([{ index: 0, status: 'duplicate', id: pad.body.id }]);
    });

    it('answers 400 for an unknown unit or a bad envelope, 413 over 5,000 items, 403 for other roles', async () => {
      const unknown = await http()
        .post(IMPORTS)
        .set('Authorization', admin)
        .send({ unitCode: 'NOPE', ratings: [rating()] })
        .expect(400);
      expect(unknown.body.errors).toEqual([{ field: 'unitCode', message: 'unknown unit NOPE' }]);
      const envelope = await http().post(IMPORTS).set('Authorization', admin).send({ unitCode: '', ratings: [], x: 1 }).expect(400);
      expect(envelope.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['ratings', 'unitCode', 'x']);
      const many = Array.from({ length: 5_001 }, () => ({}));
      const tooMany = await http().post(IMPORTS).set('Authorization', admin).send({ unitCode: 'CN-01', ratings: many }).expect(413);
      expect(tooMany.body.code).toBe('PAYLOAD_TOO_LARGE');
      const forbidden = await http()
        .post(IMPORTS)
        .set('Authorization', bearer('supervisor'))
        .send({ unitCode: 'CN-01', ratings: [rating()] });
      expect(forbidden.status).toBe(403);
    });

    it('takes bodies up to 8 MiB (the device batch stays at 1 MiB) and refuses larger ones with 413', async () => {
      const comment = '很'.repeat(500); // 1.5 KB in UTF-8
      const items = Array.from({ length: 5_000 }, (_, i) =>
        rating({ serviceRecordId: `BIG-${i}`, comment, ratedAt: '2020-01-02T09:00:00+08:00' }),
      );
      const body = JSON.stringify({ unitCode: 'CN-02', ratings: items });
      expect(body.length).toBeGreaterThan(2_000_000);
      const res = await http().post(IMPORTS).set('Authorization', admin).set('Content-Type', 'application/json').send(body).expect(200);
      expect(res.body.results.filter((r: { status: string }) => r.status === 'created')).toHaveLength(5_000);
      expect(await count(`unit_code = 'CN-02' AND imported`, [])).toBe(5_000);
      const huge = JSON.stringify({ unitCode: 'CN-02', ratings: [rating({ comment: 'x'.repeat(9 * 1024 * 1024) })] });
      expect(
        (await http().post(IMPORTS).set('Authorization', admin).set('Content-Type', 'application/json').send(huge).expect(413)).body.code,
      ).toBe('PAYLOAD_TOO_LARGE');
    });
  });

  describe('12345: time order, categories, tickets scoped per client', () => {
    const complaint = (over: Record<string, unknown> = {}) => ({
      ticketId: '12345-20261120-0001',
      unitCode: 'CN-01',
      category: 'COMPLAINT',
      content: '窗口工作人员态度差',
      citizen: { name: '李四', phone: '13900139000' },
      receivedAt: '2026-11-20T08:00:00+08:00',
      transferredAt: '2026-11-20T10:00:00+08:00',
      dueAt: '2026-12-11T23:59:59+08:00',
      ...over,
    });
    const complain = (body: unknown, cred: Credential) => signed(COMPLAINTS, body, cred, clientHeaders);

    it.each([
      ['dueAt before transferredAt', { dueAt: '2026-11-20T09:59:59+08:00' }, ['dueAt'], /after transferredAt/],
      ['dueAt equal to transferredAt', { dueAt: '2026-11-20T10:00:00+08:00' }, ['dueAt'], /after transferredAt/],
      ['receivedAt after transferredAt', { receivedAt: '2026-11-20T10:00:01+08:00' }, ['receivedAt'], /after transferredAt/],
      [
        'transferredAt in the future',
        { transferredAt: new Date(Date.now() + 3_600_000).toISOString(), dueAt: new Date(Date.now() + 30 * DAY).toISOString() },
        ['transferredAt'],
        /300 seconds in the future/,
      ],
      [
        'both out of order',
        { receivedAt: '2026-11-21T08:00:00+08:00', dueAt: '2026-11-19T08:00:00+08:00' },
        ['dueAt', 'receivedAt'],
        /transferredAt/,
      ],
    ])('refuses %s: 400 naming the field, nothing stored', async (_what, over, fields, message) => {
      const ticketId = `T-${fields.join('-')}-${++seq}`;
      const res = await complain(complaint({ ticketId, ...over }), hotlineA).expect(400);
      expect(res.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
      expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(fields);
      for (const e of res.body.errors) expect(e.message).toMatch(message);
      expect(await count('ticket_id = $1', [ticketId])).toBe(0);
    });

    it('grades only a COMPLAINT BAD; the other categories are stored ungraded (NONE) and still emitted to open a case', async () => {
      for (const category of ['COMPLAINT', 'REQUEST', 'SUGGESTION', 'CONSULTATION']) {
        const ticketId = `CAT-${category}`;
        const res = await complain(complaint({ ticketId, category }), hotlineA).expect(201);
        const [row] = (await pg.query(`SELECT grade, category FROM intake.reviews WHERE id = $1`, [res.body.id])).rows;
        expect(row).toEqual({ grade: category === 'COMPLAINT' ? 'BAD' : 'NONE', category });
        const [event] = (await pg.query(`SELECT payload FROM intake.outbox WHERE payload->>'subject' = $1`, [res.body.id])).rows;
        expect(event.payload.data).toMatchObject({ channel: 'HOTLINE_12345', category, grade: row.grade, ticketId });
      }
    });

    it('scopes ticket ids per client: the same ticketId from two clients is two reviews; a changed body from the same client is 409 TICKET_CONFLICT', async () => {
      const body = complaint({ ticketId: 'SHARED-0001' });
      const a = await complain(body, hotlineA).expect(201);
      const b = await complain(body, hotlineB).expect(201);
      expect(b.body.id).not.toBe(a.body.id);
      expect((await complain(body, hotlineA).expect(200)).body).toMatchObject({
        id: a.body.id,
        ticketId: 'SHARED-0001',
        status: 'ACCEPTED',
      });
      const conflict = await complain({ ...body, content: '改过的内容' }, hotlineA).expect(409);
      expect(conflict.body).toMatchObject({
        status: 409,
        code: 'TICKET_CONFLICT',
        errors: [{ field: 'ticketId', message: expect.any(String) }],
      });
      const rows = (
        await pg.query(`SELECT id, hotline_client_id, comment FROM intake.reviews WHERE ticket_id = 'SHARED-0001' ORDER BY created_at`)
      ).rows;
      expect(rows).toEqual([
        { id: a.body.id, hotline_client_id: hotlineA.id, comment: '窗口工作人员态度差' },
        { id: b.body.id, hotline_client_id: hotlineB.id, comment: '窗口工作人员态度差' },
      ]);
    });
  });

  it('emits gov.unit.registered for each registered unit, keyed by its code, on reviews.submitted', async () => {
    const events = (
      await pg.query(`SELECT topic, message_key, payload FROM intake.outbox WHERE payload->>'type' = 'gov.unit.registered' ORDER BY id`)
    ).rows;
    expect(events.map((e) => [e.topic, e.message_key, e.payload.data.unitCode, e.payload.data.unitName])).toEqual([
      ['reviews.submitted', 'CN-01', 'CN-01', '区市场监督管理局'],
      ['reviews.submitted', 'CN-02', 'CN-02', '区人社局'],
    ]);
    expect(events[0].payload.data.registeredAt).toEqual(expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/));
    const again = await http().post('/api/v1/units').set('Authorization', admin).send({ code: 'CN-02', name: '别名' }).expect(409);
    expect(again.body.code).toBe('CONFLICT');
    expect(
      Number((await pg.query(`SELECT count(*) AS n FROM intake.outbox WHERE payload->>'type' = 'gov.unit.registered'`)).rows[0].n),
    ).toBe(2);
  });
});
