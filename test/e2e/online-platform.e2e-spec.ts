import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';
import { INTAKE_APP, IntakeModule } from '../../apps/intake/src/intake.module.js';
import { ARRIVAL_BURST_REASON, BURST_REASON } from '../../apps/intake/src/ratings/rating-rules.js';
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

const ONLINE = '/api/v1/online/ratings';
const BATCH = '/api/v1/online/ratings/batch';
const DAY = 86_400_000;

describe('online platform: platform clients (one registry of signed clients) push ratings on channel ONLINE', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let pg: Client;
  let device: Credential;
  let online: Credential;
  let province: Credential;
  let hotline: Credential;
  const admin = bearer('admin');
  const http = () => request(app.getHttpServer());
  let seq = 0;
  const recent = (secondsAgo = 60) => new Date(Date.now() - secondsAgo * 1000).toISOString();
  const rating = (over: Record<string, unknown> = {}) => ({
    unitCode: 'CN-01',
    serviceRecordId: `OL-${++seq}`,
    serviceItemCode: '310105-XK-0001',
    level: 5,
    ratedAt: recent(600 + seq * 30), // spaced 30 s apart: no 刷评 burst unless a test makes one
    ...over,
  });
  const signed = (path: string, body: unknown, cred: Credential, headers = clientHeaders) => {
    const raw = JSON.stringify(body);
    return http()
      .post(path)
      .set(headers(cred, 'POST', path, raw))
      .set('Content-Type', 'application/json')
      .send(raw);
  };
  const registerPlatform = async (name: string, channel: string): Promise<Credential> => {
    const res = await http().post('/api/v1/platform-clients').set('Authorization', admin).send({ name, channel }).expect(201);
    return { id: res.body.clientId, secret: res.body.secret };
  };
  const review = async (id: string) =>
    (
      await pg.query(
        `SELECT channel, stage, unit_code, device_id, window_no, platform_client_id, level, suspect, suspect_reason FROM intake.reviews WHERE id = $1`,
        [id],
      )
    ).rows[0];

  beforeAll(async () => {
    db = await createTestDatabase('online_platform');
    applyTestEnv(db.url);
    app = await startTestService(IntakeModule, INTAKE_APP);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    device = await registerDevice(app.getHttpServer(), { code: 'CN-01', name: '区市场监督管理局' }, 'A01');
    await http().post('/api/v1/units').set('Authorization', admin).send({ code: 'CN-02', name: '区人社局' }).expect(201);
    online = await registerPlatform('一网通办平台', 'ONLINE');
    province = await registerPlatform('省政务服务平台', 'PROVINCE');
    const res = await http().post('/api/v1/hotline-clients').set('Authorization', admin).send({ name: '区12345热线' }).expect(201);
    hotline = { id: res.body.clientId, secret: res.body.secret };
  });

  afterAll(async () => {
    await pg?.end();
    await app?.close();
    await db?.drop();
  });

  describe('POST /platform-clients (admin)', () => {
    it('registers a client: the secret shown once, sealed at rest, listed without it, audited with the name', async () => {
      const res = await http()
        .post('/api/v1/platform-clients')
        .set('Authorization', admin)
        .send({ name: '一网通办移动端', channel: 'ONLINE', callbackUrl: 'https://online.example.gov.cn/cb' })
        .expect(201);
      expect(res.body).toEqual({
        clientId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        name: '一网通办移动端',
        channel: 'ONLINE',
        callbackUrl: 'https://online.example.gov.cn/cb',
      });
      const row = (await pg.query(`SELECT channel, secret_sealed FROM intake.hotline_clients WHERE id = $1`, [res.body.clientId])).rows[0];
      expect(row.channel).toBe('ONLINE');
      expect(row.secret_sealed).not.toContain(res.body.secret);
      const list = await http().get('/api/v1/platform-clients').set('Authorization', admin).expect(200);
      expect(list.body.map((c: { name: string }) => c.name)).toEqual(['一网通办平台', '省政务服务平台', '一网通办移动端']);
      expect(JSON.stringify(list.body)).not.toContain(res.body.secret);
      expect(list.body[2]).toEqual({
        clientId: res.body.clientId,
        name: '一网通办移动端',
        channel: 'ONLINE',
        callbackUrl: 'https://online.example.gov.cn/cb',
        revoked: false,
        revokedAt: null,
        createdAt: expect.any(String),
      });
      // Platform clients are not hotline clients, and the other way round.
      const hotlines = await http().get('/api/v1/hotline-clients').set('Authorization', admin).expect(200);
      expect(hotlines.body.map((c: { name: string }) => c.name)).toEqual(['区12345热线']);
      const audit = (
        await pg.query(
          `SELECT actor_sub, detail FROM intake.audit_log WHERE action = 'PLATFORM_CLIENT_REGISTERED' AND detail->>'clientId' = $1`,
          [res.body.clientId],
        )
      ).rows;
      expect(audit).toEqual([{ actor_sub: 'admin-user', detail: expect.objectContaining({ name: '一网通办移动端', channel: 'ONLINE' }) }]);
      expect(JSON.stringify(audit)).not.toContain(res.body.secret);
    });

    it('refuses a bad body naming every bad field, and anyone but an admin', async () => {
      const bad = await http()
        .post('/api/v1/platform-clients')
        .set('Authorization', admin)
        .send({ name: ' ', channel: 'HOTLINE_12345', callbackUrl: 'ftp://x', extra: 1 })
        .expect(400);
      expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['callbackUrl', 'channel', 'extra', 'name']);
      await http()
        .post('/api/v1/platform-clients')
        .set('Authorization', bearer('supervisor'))
        .send({ name: 'x', channel: 'ONLINE' })
        .expect(403);
      await http().post('/api/v1/platform-clients').send({ name: 'x', channel: 'ONLINE' }).expect(401);
    });
  });

  describe('POST /online/ratings (ONLINE client)', () => {
    it('stores a rating on channel ONLINE: 201, the same again 200 duplicate, another body 409 ALREADY_RATED', async () => {
      const body = rating({ level: 2, tags: ['EFFICIENCY'], comment: '网上办理等待太久', reviewer: { phone: '13800138000' } });
      const created = await signed(ONLINE, body, online).expect(201);
      expect(created.body).toEqual({
        id: expect.any(String),
        grade: 'BAD',
        unitCode: 'CN-01',
        quarter: expect.any(String),
        duplicate: false,
      });
      expect(await review(created.body.id)).toEqual({
        channel: 'ONLINE',
        stage: 'COMPLETION',
        unit_code: 'CN-01',
        device_id: null,
        window_no: null,
        platform_client_id: online.id,
        level: 2,
        suspect: false,
        suspect_reason: null,
      });
      const event = (await pg.query(`SELECT payload FROM intake.outbox WHERE payload->>'subject' = $1`, [created.body.id])).rows[0].payload;
      expect(event.data).toMatchObject({ channel: 'ONLINE', stage: 'COMPLETION', unitCode: 'CN-01', grade: 'BAD', windowNo: null });
      expect(event.data.contact.maskedPhone).toBe('138****8000');
      const again = await signed(ONLINE, body, online).expect(200);
      expect(again.body).toEqual({ ...created.body, duplicate: true });
      const changed = await signed(ONLINE, { ...body, level: 1 }, online).expect(409);
      expect(changed.body).toMatchObject({ code: 'ALREADY_RATED', errors: [{ field: 'serviceRecordId' }] });
    });

    it('is one rating per matter and stage across channels: a PAD rated first', async () => {
      const padBody = { serviceRecordId: 'MATTER-1', serviceItemCode: '310105-XK-0001', level: 4, ratedAt: recent(300) };
      const raw = JSON.stringify(padBody);
      const padRes = await http()
        .post('/api/v1/ratings')
        .set(deviceHeaders(device, 'POST', '/api/v1/ratings', raw))
        .set('Content-Type', 'application/json')
        .send(raw)
        .expect(201);
      // The same rating of the matter from the online platform: a duplicate of the PAD's.
      const same = await signed(ONLINE, { ...padBody, unitCode: 'CN-01' }, online).expect(200);
      expect(same.body).toEqual({ ...padRes.body, duplicate: true });
      // A changed rating of the same matter from another channel: refused.
      const changed = await signed(ONLINE, { ...padBody, unitCode: 'CN-01', level: 1, tags: ['ATTITUDE'] }, online).expect(409);
      expect(changed.body.code).toBe('ALREADY_RATED');
      // The acceptance stage of that matter is another rating.
      const acceptance = await signed(ONLINE, { ...padBody, unitCode: 'CN-01', stage: 'ACCEPTANCE', level: 1 }, online).expect(201);
      expect(await review(acceptance.body.id)).toMatchObject({ channel: 'ONLINE', stage: 'ACCEPTANCE', level: 1 });
      // The same service record in another unit is another matter.
      await signed(ONLINE, { ...padBody, unitCode: 'CN-02', level: 1 }, online).expect(201);
      const rows = (
        await pg.query(`SELECT unit_code, channel, stage, level FROM intake.reviews WHERE service_record_id = 'MATTER-1' ORDER BY 1, 3`)
      ).rows;
      expect(rows).toEqual([
        { unit_code: 'CN-01', channel: 'ONLINE', stage: 'ACCEPTANCE', level: 1 },
        { unit_code: 'CN-01', channel: 'PAD', stage: 'COMPLETION', level: 4 },
        { unit_code: 'CN-02', channel: 'ONLINE', stage: 'COMPLETION', level: 1 },
      ]);
    });

    it('applies the PAD time bounds and names every bad field, an unknown unit too', async () => {
      const future = await signed(
        ONLINE,
        rating({ ratedAt: new Date(Date.now() + 600_000).toISOString(), level: 7, stage: 'X' }),
        online,
      ).expect(400);
      expect(future.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['level', 'ratedAt', 'stage']);
      const old = await signed(ONLINE, rating({ ratedAt: new Date(Date.now() - 40 * DAY).toISOString() }), online).expect(400);
      expect(old.body.errors).toEqual([{ field: 'ratedAt', message: expect.stringMatching(/30 days before receipt/) }]);
      const { unitCode: _omitted, ...noUnit } = rating();
      const missing = await signed(ONLINE, noUnit, online).expect(400);
      expect(missing.body.errors.map((e: { field: string }) => e.field)).toEqual(['unitCode']);
      const unknown = await signed(ONLINE, rating({ unitCode: 'CN-99' }), online).expect(400);
      expect(unknown.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'unitCode', message: 'unknown unit CN-99' }] });
      expect(Number((await pg.query(`SELECT count(*) AS n FROM intake.reviews WHERE unit_code = 'CN-99'`)).rows[0].n)).toBe(0);
    });

    it('lets in only ONLINE platform clients: a PROVINCE client 403, a hotline client or a PAD 401, and the other way round', async () => {
      expect((await signed(ONLINE, rating(), province).expect(403)).body.code).toBe('FORBIDDEN');
      expect((await signed(ONLINE, rating(), hotline).expect(401)).body.code).toBe('SIGNATURE_INVALID');
      await signed(ONLINE, rating(), device, deviceHeaders).expect(401);
      const complaint = {
        ticketId: 'T-1',
        unitCode: 'CN-01',
        category: 'COMPLAINT',
        content: '态度差',
        receivedAt: recent(7200),
        transferredAt: recent(3600),
        dueAt: new Date(Date.now() + 10 * DAY).toISOString(),
      };
      expect((await signed('/api/v1/hotline/complaints', complaint, online).expect(401)).body.code).toBe('SIGNATURE_INVALID');
    });

    it('flags 刷评 per client and unit, as per device: live ratings by arrival, any by ratedAt (more than 5 within 10 s)', async () => {
      const t = Date.now() - 120_000;
      const ids: string[] = [];
      for (let i = 0; i < 6; i++)
        ids.push((await signed(ONLINE, rating({ ratedAt: new Date(t + i * 1000).toISOString() }), online).expect(201)).body.id);
      // The same instants for another unit: that unit's own count, not flagged.
      const other = (await signed(ONLINE, rating({ unitCode: 'CN-02', ratedAt: new Date(t).toISOString() }), online).expect(201)).body.id;
      const flags = await Promise.all(ids.map(async (id) => (await review(id)).suspect_reason));
      for (const reason of flags) expect([BURST_REASON, ARRIVAL_BURST_REASON]).toContain(reason);
      expect((await review(other)).suspect).toBe(false);
      // A batch (no arrival rule) of 6 ratings of one unit within 10 s by ratedAt: all flagged by the ratedAt rule.
      const u = Date.now() - 3_600_000;
      const batch = await signed(
        BATCH,
        { ratings: Array.from({ length: 6 }, (_, i) => rating({ unitCode: 'CN-02', ratedAt: new Date(u + i * 1500).toISOString() })) },
        online,
      ).expect(200);
      const reasons = await Promise.all(batch.body.results.map(async (r: { id: string }) => (await review(r.id)).suspect_reason));
      expect(reasons).toEqual(Array(6).fill(BURST_REASON));
    });

    it('refuses a revoked client (401 DEVICE_REVOKED), audited', async () => {
      const doomed = await registerPlatform('试点平台', 'ONLINE');
      await signed(ONLINE, rating(), doomed).expect(201);
      const revoked = await http().post(`/api/v1/platform-clients/${doomed.id}/revoke`).set('Authorization', admin).expect(200);
      expect(revoked.body).toMatchObject({ clientId: doomed.id, revoked: true, channel: 'ONLINE' });
      expect((await signed(ONLINE, rating(), doomed).expect(401)).body.code).toBe('DEVICE_REVOKED');
      const audit = await pg.query(`SELECT 1 FROM intake.audit_log WHERE action = 'PLATFORM_CLIENT_REVOKED' AND detail->>'clientId' = $1`, [
        doomed.id,
      ]);
      expect(audit.rowCount).toBe(1);
      // A hotline client's id is no platform client's.
      await http().post(`/api/v1/platform-clients/${hotline.id}/revoke`).set('Authorization', admin).expect(404);
    });
  });

  describe('POST /online/ratings/batch (ONLINE client)', () => {
    it('answers per item: created, duplicate, rejected (conflict, unknown unit, bad fields), valid ones stored', async () => {
      const first = rating();
      await signed(ONLINE, first, online).expect(201);
      const res = await signed(
        BATCH,
        {
          ratings: [
            rating({ unitCode: 'CN-02' }),
            first,
            { ...first, level: 1 },
            rating({ unitCode: 'CN-77' }),
            rating({ level: 0, unitCode: 5 }),
            rating({ stage: 'ACCEPTANCE' }),
          ],
        },
        online,
      ).expect(200);
      const firstId = (await pg.query(`SELECT id FROM intake.reviews WHERE service_record_id = $1`, [first.serviceRecordId])).rows[0].id;
      expect(res.body.results).toEqual([
        { index: 0, status: 'created', id: expect.any(String) },
        { index: 1, status: 'duplicate', id: firstId },
        { index: 2, status: 'rejected', errors: [{ field: 'serviceRecordId', message: expect.stringMatching(/ALREADY_RATED/) }] },
        { index: 3, status: 'rejected', errors: [{ field: 'unitCode', message: 'is not a registered unit' }] },
        {
          index: 4,
          status: 'rejected',
          errors: expect.arrayContaining([expect.objectContaining({ field: 'level' }), expect.objectContaining({ field: 'unitCode' })]),
        },
        { index: 5, status: 'created', id: expect.any(String) },
      ]);
      expect(await review(res.body.results[0].id)).toMatchObject({ channel: 'ONLINE', unit_code: 'CN-02', platform_client_id: online.id });
      expect(await review(res.body.results[5].id)).toMatchObject({ channel: 'ONLINE', stage: 'ACCEPTANCE' });
    });

    it('takes 1–500 items: none → 400, 501 → 413', async () => {
      expect((await signed(BATCH, { ratings: [] }, online).expect(400)).body.errors.map((e: { field: string }) => e.field)).toEqual([
        'ratings',
      ]);
      const many = Array.from({ length: 501 }, () => rating());
      expect((await signed(BATCH, { ratings: many }, online).expect(413)).body.code).toBe('PAYLOAD_TOO_LARGE');
    });
  });
});
