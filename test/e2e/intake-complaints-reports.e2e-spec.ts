import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';
import { INTAKE_APP, IntakeModule } from '../../apps/intake/src/intake.module.js';
import { DataCipher } from '#libs/common';
import {
  applyTestEnv,
  bearer,
  clientHeaders,
  createTestDatabase,
  type Credential,
  startTestService,
  type TestDatabase,
} from '#libs/testing';

const COMPLAINTS = '/api/v1/hotline/complaints';

describe('intake: 12345 complaints (hotline HMAC) and 办不成事 reports (unit_operator)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let pg: Client;
  let client: Credential;
  const admin = bearer('admin');
  const http = () => request(app.getHttpServer());
  const complain = (body: unknown, cred = client) => {
    const raw = JSON.stringify(body);
    return http()
      .post(COMPLAINTS)
      .set(clientHeaders(cred, 'POST', COMPLAINTS, raw))
      .send(raw);
  };
  const complaint = (over: Record<string, unknown> = {}) => ({
    ticketId: '12345-20241120-0001',
    unitCode: 'CN-01',
    category: 'COMPLAINT',
    content: '窗口办理营业执照变更时工作人员态度差',
    serviceItemCode: '310105-XK-0001',
    citizen: { name: '李四', phone: '13900139000' },
    receivedAt: '2024-11-20T08:00:00+08:00',
    transferredAt: '2024-11-20T10:00:00+08:00',
    dueAt: '2024-12-11T23:59:59+08:00',
    ...over,
  });

  beforeAll(async () => {
    db = await createTestDatabase('intake_complaints');
    applyTestEnv(db.url);
    app = await startTestService(IntakeModule, INTAKE_APP);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    await http().post('/api/v1/units').set('Authorization', admin).send({ code: 'CN-01', name: '区市场监督管理局' }).expect(201);
    await http().post('/api/v1/units').set('Authorization', admin).send({ code: 'CN-02', name: '区人社局' }).expect(201);
    const res = await http().post('/api/v1/hotline-clients').set('Authorization', admin).send({ name: '区12345热线' }).expect(201);
    client = { id: res.body.clientId, secret: res.body.secret };
  });

  afterAll(async () => {
    await pg?.end();
    await app?.close();
    await db?.drop();
  });

  describe('POST /hotline/complaints', () => {
    it('stores a BAD review on channel HOTLINE_12345 and emits the event that opens a case', async () => {
      const res = await complain(complaint()).expect(201);
      expect(res.body).toMatchObject({ id: expect.any(String), ticketId: '12345-20241120-0001', status: 'ACCEPTED' });

      const [row] = (await pg.query(`SELECT * FROM intake.reviews WHERE ticket_id = $1`, ['12345-20241120-0001'])).rows;
      expect(row).toMatchObject({
        id: res.body.id,
        unit_code: 'CN-01',
        channel: 'HOTLINE_12345',
        level: null,
        grade: 'BAD',
        comment: '窗口办理营业执照变更时工作人员态度差',
        category: 'COMPLAINT',
        hotline_client_id: client.id,
        contact_masked_name: '李*',
        contact_masked_phone: '139****9000',
        service_record_id: null,
      });
      expect(row.rated_at.toISOString()).toBe('2024-11-20T02:00:00.000Z');
      expect(row.received_at.toISOString()).toBe('2024-11-20T02:00:00.000Z');
      expect(row.hotline_received_at.toISOString()).toBe('2024-11-20T00:00:00.000Z');
      expect(row.due_at.toISOString()).toBe('2024-12-11T15:59:59.000Z');
      expect(JSON.stringify(row)).not.toContain('13900139000');
      expect(new DataCipher(process.env.DATA_ENCRYPTION_KEY!).openJson(row.contact_sealed)).toEqual({ name: '李四', phone: '13900139000' });

      const events = (await pg.query(`SELECT topic, message_key, payload FROM intake.outbox WHERE payload->>'subject' = $1`, [res.body.id]))
        .rows;
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ topic: 'reviews.submitted', message_key: 'CN-01', payload: { type: 'gov.review.submitted' } });
      expect(events[0].payload.data).toMatchObject({
        reviewId: res.body.id,
        unitCode: 'CN-01',
        channel: 'HOTLINE_12345',
        level: null,
        grade: 'BAD',
        comment: '窗口办理营业执照变更时工作人员态度差',
        ticketId: '12345-20241120-0001',
        hotlineClientId: client.id,
        category: 'COMPLAINT',
        ratedAt: '2024-11-20T02:00:00.000Z',
        receivedAt: '2024-11-20T02:00:00.000Z',
        hotlineReceivedAt: '2024-11-20T00:00:00.000Z',
        dueAt: '2024-12-11T15:59:59.000Z',
        suspect: false,
        contact: { maskedName: '李*', maskedPhone: '139****9000', sealed: expect.any(String) },
      });
      expect(JSON.stringify(events[0].payload)).not.toContain('13900139000');
    });

    it('answers a repeated ticketId with 200 and the same id, storing and emitting nothing more — also concurrently', async () => {
      const first = (await pg.query(`SELECT id FROM intake.reviews WHERE ticket_id = $1`, ['12345-20241120-0001'])).rows[0].id;
      const again = await complain(complaint()).expect(200);
      expect(again.body).toMatchObject({ id: first, ticketId: '12345-20241120-0001', status: 'ACCEPTED' });

      const responses = await Promise.all(Array.from({ length: 8 }, () => complain(complaint({ ticketId: 'T-CONCURRENT' }))));
      expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
      expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);
      expect(
        Number(
          (await pg.query(`SELECT count(*) AS n FROM intake.reviews WHERE ticket_id IN ('12345-20241120-0001', 'T-CONCURRENT')`)).rows[0].n,
        ),
      ).toBe(2);
      expect(
        Number(
          (
            await pg.query(
              `SELECT count(*) AS n FROM intake.outbox WHERE payload->'data'->>'ticketId' IN ('12345-20241120-0001', 'T-CONCURRENT')`,
            )
          ).rows[0].n,
        ),
      ).toBe(2);
    });

    it('lists every invalid field, rejects unknown ones and unknown units', async () => {
      const res = await complain({
        ticketId: '',
        category: 'PRAISE',
        content: '',
        citizen: { phone: '110' },
        receivedAt: '2024-11-20 08:00',
        transferredAt: new Date(Date.now() + 3_600_000).toISOString(),
        level: 1,
      }).expect(400);
      expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(
        ['category', 'citizen.phone', 'content', 'level', 'receivedAt', 'ticketId', 'transferredAt', 'unitCode'].sort(),
      );
      expect((await complain(complaint({ ticketId: 'T-X', unitCode: 'CN-99' })).expect(400)).body.errors).toEqual([
        { field: 'unitCode', message: 'unknown unit CN-99' },
      ]);
      expect(
        (await complain(complaint({ ticketId: 'T-Y', receivedAt: '2024-11-21T08:00:00+08:00' })).expect(400)).body.errors[0].field,
      ).toBe('receivedAt');
      for (const category of ['COMPLAINT', 'REQUEST', 'SUGGESTION', 'CONSULTATION'])
        await complain(complaint({ ticketId: `T-${category}`, category })).expect(201);
    });

    it('refuses bad signatures, skewed timestamps and device credentials', async () => {
      const raw = JSON.stringify(complaint({ ticketId: 'T-AUTH' }));
      expect(
        (
          await http()
            .post(COMPLAINTS)
            .set(clientHeaders({ id: client.id, secret: 'nope' }, 'POST', COMPLAINTS, raw))
            .send(raw)
            .expect(401)
        ).body.code,
      ).toBe('SIGNATURE_INVALID');
      expect(
        (
          await http()
            .post(COMPLAINTS)
            .set(clientHeaders(client, 'POST', COMPLAINTS, raw, Date.now() - 600_000))
            .send(raw)
            .expect(401)
        ).body.code,
      ).toBe('TIMESTAMP_SKEW');
      const dev = await http().post('/api/v1/devices').set('Authorization', admin).send({ unitCode: 'CN-01', windowNo: 'A1' }).expect(201);
      const asDevice = {
        'X-Device-Id': dev.body.deviceId,
        ...clientHeaders({ id: dev.body.deviceId, secret: dev.body.secret }, 'POST', COMPLAINTS, raw),
      };
      await http().post(COMPLAINTS).set(asDevice).send(raw).expect(401);
      expect(Number((await pg.query(`SELECT count(*) AS n FROM intake.reviews WHERE ticket_id = 'T-AUTH'`)).rows[0].n)).toBe(0);
    });
  });

  describe('POST /unresolved-reports', () => {
    const report = (over: Record<string, unknown> = {}) => ({
      matter: '个体工商户营业执照跨区迁移',
      description: '系统不支持跨区迁移，群众多次往返',
      serviceItemCode: '310105-XK-0002',
      citizen: { name: '赵六', phone: '13600136000' },
      reportedAt: '2024-11-20T09:30:00+08:00',
      ...over,
    });

    it('stores a report for the operator’s own unit and emits gov.unresolved.reported', async () => {
      const operator = bearer('unit_operator', 'CN-01', { sub: 'op-7' });
      const res = await http().post('/api/v1/unresolved-reports').set('Authorization', operator).send(report()).expect(201);
      expect(res.body).toMatchObject({
        id: expect.any(String),
        unitCode: 'CN-01',
        citizen: { name: '赵*', phone: '136****6000' },
        reportedBy: 'op-7',
      });
      expect(JSON.stringify(res.body)).not.toContain('13600136000');

      const [row] = (await pg.query(`SELECT * FROM intake.unresolved_reports WHERE id = $1`, [res.body.id])).rows;
      expect(row).toMatchObject({
        unit_code: 'CN-01',
        matter: '个体工商户营业执照跨区迁移',
        reported_by: 'op-7',
        contact_masked_phone: '136****6000',
      });
      expect(row.reported_at.toISOString()).toBe('2024-11-20T01:30:00.000Z');
      expect(JSON.stringify(row)).not.toContain('13600136000');

      const [event] = (
        await pg.query(`SELECT topic, message_key, payload FROM intake.outbox WHERE payload->>'subject' = $1`, [res.body.id])
      ).rows;
      expect(event).toMatchObject({ topic: 'unresolved.reported', message_key: 'CN-01', payload: { type: 'gov.unresolved.reported' } });
      expect(event.payload.data).toEqual({
        reportId: res.body.id,
        unitCode: 'CN-01',
        unitName: '区市场监督管理局',
        matter: '个体工商户营业执照跨区迁移',
        description: '系统不支持跨区迁移，群众多次往返',
        serviceItemCode: '310105-XK-0002',
        reportedAt: '2024-11-20T01:30:00.000Z',
        reportedBy: 'op-7',
        contact: { maskedName: '赵*', maskedPhone: '136****6000', sealed: expect.any(String) },
      });
    });

    it('refuses another unit (403 FORBIDDEN_UNIT), other roles (403), no token (401) and invalid fields (400)', async () => {
      const operator = bearer('unit_operator', 'CN-01');
      expect(
        (
          await http()
            .post('/api/v1/unresolved-reports')
            .set('Authorization', operator)
            .send(report({ unitCode: 'CN-02' }))
            .expect(403)
        ).body.code,
      ).toBe('FORBIDDEN_UNIT');
      await http()
        .post('/api/v1/unresolved-reports')
        .set('Authorization', operator)
        .send(report({ unitCode: 'CN-01' }))
        .expect(201);
      expect(
        (await http().post('/api/v1/unresolved-reports').set('Authorization', bearer('supervisor')).send(report()).expect(403)).body.code,
      ).toBe('FORBIDDEN');
      await http().post('/api/v1/unresolved-reports').set('Authorization', admin).send(report()).expect(403);
      await http().post('/api/v1/unresolved-reports').send(report()).expect(401);
      const invalid = await http()
        .post('/api/v1/unresolved-reports')
        .set('Authorization', operator)
        .send({ matter: '', reportedAt: 'soon', citizen: { phone: '1' }, caseId: 'x' })
        .expect(400);
      expect(invalid.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
        'caseId',
        'citizen.phone',
        'description',
        'matter',
        'reportedAt',
      ]);
      const rows = (await pg.query(`SELECT unit_code FROM intake.unresolved_reports`)).rows;
      expect(rows.map((r) => r.unit_code)).toEqual(['CN-01', 'CN-01']);
    });
  });
});
