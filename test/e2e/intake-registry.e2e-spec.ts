import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';
import { INTAKE_APP, IntakeModule } from '../../apps/intake/src/intake.module.js';
import { DataCipher } from '#libs/common';
import { applyTestEnv, bearer, clientHeaders, createTestDatabase, startTestService, type TestDatabase } from '#libs/testing';

describe('intake: registry of units, devices and hotline clients (admin)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let pg: Client;
  const admin = bearer('admin');
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    db = await createTestDatabase('intake_registry');
    applyTestEnv(db.url);
    app = await startTestService(IntakeModule, INTAKE_APP);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });

  afterAll(async () => {
    await pg?.end();
    await app?.close();
    await db?.drop();
  });

  it('creates and lists units; a repeated code is 409; only admins create', async () => {
    const created = await http()
      .post('/api/v1/units')
      .set('Authorization', admin)
      .send({ code: 'CN-01', name: '区市场监督管理局' })
      .expect(201);
    expect(created.body).toMatchObject({ code: 'CN-01', name: '区市场监督管理局' });
    expect((await http().post('/api/v1/units').set('Authorization', admin).send({ code: 'CN-01', name: 'x' }).expect(409)).body.code).toBe(
      'CONFLICT',
    );
    expect(
      (await http().post('/api/v1/units').set('Authorization', bearer('supervisor')).send({ code: 'CN-09', name: 'x' }).expect(403)).body
        .code,
    ).toBe('FORBIDDEN');
    await http()
      .post('/api/v1/units')
      .set('Authorization', bearer('unit_operator', 'CN-01'))
      .send({ code: 'CN-09', name: 'x' })
      .expect(403);
    expect((await http().post('/api/v1/units').send({ code: 'CN-09', name: 'x' }).expect(401)).body.code).toBe('UNAUTHENTICATED');
    await http()
      .post('/api/v1/units')
      .set('Authorization', bearer('admin', undefined, { secret: 'another-secret-another-secret-0123456789' }))
      .send({})
      .expect(401);
    const list = await http().get('/api/v1/units').set('Authorization', bearer('supervisor')).expect(200);
    expect(list.body.map((u: { code: string }) => u.code)).toEqual(['CN-01']);
    expect((await pg.query(`SELECT code, name FROM intake.units`)).rows).toEqual([{ code: 'CN-01', name: '区市场监督管理局' }]);
  });

  it('registers a device, shows its secret once, keeps it only encrypted, lists without secrets, revokes', async () => {
    const res = await http()
      .post('/api/v1/devices')
      .set('Authorization', admin)
      .send({ unitCode: 'CN-01', windowNo: 'A03', label: '3号窗口' })
      .expect(201);
    expect(res.body).toEqual({
      deviceId: expect.any(String),
      secret: expect.any(String),
      unitCode: 'CN-01',
      windowNo: 'A03',
      label: '3号窗口',
    });
    const secret = res.body.secret as string;
    expect(secret.length).toBeGreaterThanOrEqual(43);

    const [row] = (await pg.query(`SELECT * FROM intake.devices WHERE id = $1`, [res.body.deviceId])).rows;
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(new DataCipher(process.env.DATA_ENCRYPTION_KEY!).open(row.secret_sealed)).toBe(secret);

    const list = await http().get('/api/v1/devices?unitCode=CN-01').set('Authorization', admin).expect(200);
    expect(list.body).toEqual([
      {
        deviceId: res.body.deviceId,
        unitCode: 'CN-01',
        windowNo: 'A03',
        label: '3号窗口',
        revoked: false,
        revokedAt: null,
        createdAt: expect.any(String),
        pairedAt: null,
        lastSeenAt: null,
        online: false,
        queueLength: null,
        rejectedCount: null,
        appVersion: null,
      },
    ]);
    expect(JSON.stringify(list.body)).not.toContain(secret);
    expect((await http().get('/api/v1/devices?unitCode=CN-99').set('Authorization', admin).expect(200)).body).toEqual([]);

    const unknownUnit = await http()
      .post('/api/v1/devices')
      .set('Authorization', admin)
      .send({ unitCode: 'CN-99', windowNo: 'A1' })
      .expect(400);
    expect(unknownUnit.body.errors).toEqual([{ field: 'unitCode', message: 'unknown unit CN-99' }]);
    const invalid = await http().post('/api/v1/devices').set('Authorization', admin).send({ windowNo: '', secret: 'mine' }).expect(400);
    expect(invalid.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['secret', 'unitCode', 'windowNo']);

    const revoked = await http().post(`/api/v1/devices/${res.body.deviceId}/revoke`).set('Authorization', admin).expect(200);
    expect(revoked.body).toMatchObject({ deviceId: res.body.deviceId, revoked: true, revokedAt: expect.any(String) });
    expect((await pg.query(`SELECT revoked_at FROM intake.devices WHERE id = $1`, [res.body.deviceId])).rows[0].revoked_at).toBeInstanceOf(
      Date,
    );
    await http().post(`/api/v1/devices/00000000-0000-4000-8000-000000000000/revoke`).set('Authorization', admin).expect(404);
    await http().post(`/api/v1/devices/${res.body.deviceId}/revoke`).set('Authorization', bearer('supervisor')).expect(403);
  });

  it('registers a hotline client with a once-shown secret and tells rectification through the outbox; revocation too', async () => {
    const res = await http()
      .post('/api/v1/hotline-clients')
      .set('Authorization', admin)
      .send({ name: '区12345热线', callbackUrl: 'https://hotline.example.gov.cn/cb' })
      .expect(201);
    expect(res.body).toEqual({
      clientId: expect.any(String),
      secret: expect.any(String),
      name: '区12345热线',
      callbackUrl: 'https://hotline.example.gov.cn/cb',
    });
    const { clientId, secret } = res.body as { clientId: string; secret: string };
    const cipher = new DataCipher(process.env.DATA_ENCRYPTION_KEY!);

    const [row] = (await pg.query(`SELECT * FROM intake.hotline_clients WHERE id = $1`, [clientId])).rows;
    expect(JSON.stringify(row)).not.toContain(secret);
    const events = async () =>
      (await pg.query(`SELECT topic, message_key, payload FROM intake.outbox WHERE payload->>'subject' = $1 ORDER BY id`, [clientId])).rows;
    const [registered] = await events();
    expect(registered).toMatchObject({
      topic: 'registry.hotline-clients',
      message_key: 'hotline',
      payload: { type: 'gov.hotline-client.registered' },
    });
    expect(registered.payload.data).toEqual({
      clientId,
      name: '区12345热线',
      callbackUrl: 'https://hotline.example.gov.cn/cb',
      secretSealed: row.secret_sealed,
      revoked: false,
    });
    expect(cipher.open(registered.payload.data.secretSealed)).toBe(secret);
    expect(JSON.stringify(registered.payload)).not.toContain(secret);

    const list = await http().get('/api/v1/hotline-clients').set('Authorization', admin).expect(200);
    expect(list.body).toEqual([
      {
        clientId,
        name: '区12345热线',
        callbackUrl: 'https://hotline.example.gov.cn/cb',
        revoked: false,
        revokedAt: null,
        createdAt: expect.any(String),
      },
    ]);

    const badUrl = await http()
      .post('/api/v1/hotline-clients')
      .set('Authorization', admin)
      .send({ name: '', callbackUrl: 'ftp://x' })
      .expect(400);
    expect(badUrl.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['callbackUrl', 'name']);

    await http().post(`/api/v1/hotline-clients/${clientId}/revoke`).set('Authorization', admin).expect(200);
    await http().post(`/api/v1/hotline-clients/${clientId}/revoke`).set('Authorization', admin).expect(200);
    const all = await events();
    expect(all.map((e) => [e.payload.type, e.payload.data.revoked])).toEqual([
      ['gov.hotline-client.registered', false],
      ['gov.hotline-client.revoked', true],
    ]);
    const body = JSON.stringify({ ticketId: 'T-1' });
    const refused = await http()
      .post('/api/v1/hotline/complaints')
      .set(clientHeaders({ id: clientId, secret }, 'POST', '/api/v1/hotline/complaints', body))
      .send(body)
      .expect(401);
    expect(refused.body.code).toBe('DEVICE_REVOKED');
  });
});
