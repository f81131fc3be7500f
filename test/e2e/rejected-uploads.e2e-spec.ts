import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';
import { INTAKE_APP, IntakeModule } from '../../apps/intake/src/intake.module.js';
import { REJECTED_UPLOADS_KEPT_PER_DEVICE } from '../../apps/intake/src/ratings/rejected-uploads.repository.js';
import {
  applyTestEnv,
  bearer,
  createTestDatabase,
  type Credential,
  deviceHeaders,
  startTestService,
  type TestDatabase,
} from '#libs/testing';

const BATCH = '/api/v1/ratings/batch';

/** The PAD counts the items its uploads had refused (未通过); the console lists them, with why, in Chinese. */
describe('intake: GET /devices/{deviceId}/rejected-uploads', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let pg: Client;
  let device: Credential;
  let other: Credential;
  const admin = bearer('admin');

  const http = () => request(app.getHttpServer());
  const upload = (ratings: unknown[], dev = device) => {
    const raw = JSON.stringify({ ratings });
    return http()
      .post(BATCH)
      .set(deviceHeaders(dev, 'POST', BATCH, raw))
      .send(raw)
      .expect(200);
  };
  const listed = (deviceId = device.id) => http().get(`/api/v1/devices/${deviceId}/rejected-uploads`).set('Authorization', admin);
  let seq = 0;
  const rating = (over: Record<string, unknown> = {}) => ({
    serviceRecordId: `RJ-${++seq}`,
    serviceItemCode: '310105-XK-0001',
    level: 5,
    ratedAt: new Date(Date.now() - 3_600_000 + seq * 1_000).toISOString(),
    ...over,
  });

  beforeAll(async () => {
    db = await createTestDatabase('rejected_uploads');
    applyTestEnv(db.url);
    app = await startTestService(IntakeModule, INTAKE_APP);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    await http().post('/api/v1/units').set('Authorization', admin).send({ code: 'CN-01', name: '区市场监督管理局' }).expect(201);
    for (const windowNo of ['A01', 'A02']) {
      const res = await http().post('/api/v1/devices').set('Authorization', admin).send({ unitCode: 'CN-01', windowNo }).expect(201);
      const credential = { id: res.body.deviceId as string, secret: res.body.secret as string };
      if (windowNo === 'A01') device = credential;
      else other = credential;
    }
  });

  afterAll(async () => {
    await pg?.end();
    await app?.close();
    await db?.drop();
  });

  it('lists a device’s refused items with their index, service record and reasons in Chinese; stored ones are not listed', async () => {
    expect((await listed().expect(200)).body).toEqual({ deviceId: device.id, keptPerDevice: REJECTED_UPLOADS_KEPT_PER_DEVICE, items: [] });
    const stored = rating({ serviceRecordId: 'RJ-STORED', level: 4 });
    await upload([stored]);
    const { body } = await upload([
      rating(),
      rating({ serviceRecordId: 'X'.repeat(65) }),
      { ...stored, level: 1 },
      rating({ serviceRecordId: 'RJ-PHONE', level: 1, reviewer: { phone: '12345' }, tags: ['RUDE'] }),
      'not an object',
    ]);
    expect(body.results.map((r: { status: string }) => r.status)).toEqual(['created', 'rejected', 'rejected', 'rejected', 'rejected']);
    await upload([rating({ serviceRecordId: 'RJ-FUTURE', ratedAt: new Date(Date.now() + 3_600_000).toISOString() })], other);

    const res = await listed().expect(200);
    expect(res.body.deviceId).toBe(device.id);
    expect(res.body.items).toEqual([
      {
        index: 1,
        serviceRecordId: 'X'.repeat(65),
        receivedAt: expect.any(String),
        reasons: ['办件编号：超过 64 个字符'],
        errors: [{ field: 'serviceRecordId', message: expect.stringContaining('64') }],
      },
      {
        index: 2,
        serviceRecordId: 'RJ-STORED',
        receivedAt: expect.any(String),
        reasons: ['办件编号：该办件已有评价，且本次内容与已存的评价不同（一次一评）'],
        errors: [{ field: 'serviceRecordId', message: expect.stringContaining('ALREADY_RATED') }],
      },
      {
        index: 3,
        serviceRecordId: 'RJ-PHONE',
        receivedAt: expect.any(String),
        reasons: expect.arrayContaining(['回访电话：不是有效的手机号码', '差评标签：含有未知的标签']),
        errors: expect.any(Array),
      },
      { index: 4, serviceRecordId: null, receivedAt: expect.any(String), reasons: ['该条评价：格式不正确'], errors: expect.any(Array) },
    ]);
    expect(Math.abs(Date.parse(res.body.items[0].receivedAt) - Date.now())).toBeLessThan(60_000);
    // Each device its own list.
    expect((await listed(other.id).expect(200)).body.items).toEqual([
      expect.objectContaining({
        index: 0,
        serviceRecordId: 'RJ-FUTURE',
        reasons: ['评价时间：比服务器时间晚 300 秒以上（请检查评价器的时钟）'],
      }),
    ]);
  });

  it('keeps the newest items per device only, dropping the oldest first', async () => {
    expect((await listed().expect(200)).body.items).toHaveLength(4); // from the first test
    const bad = (n: number) => Array.from({ length: n }, (_, i) => rating({ serviceRecordId: `RJ-MANY-${i}`, level: 0 }));
    await upload(bad(REJECTED_UPLOADS_KEPT_PER_DEVICE - 2));
    const res = await listed().expect(200);
    const items = res.body.items as Array<{ index: number; serviceRecordId: string | null; reasons: string[] }>;
    expect(items).toHaveLength(REJECTED_UPLOADS_KEPT_PER_DEVICE);
    expect(items[0]).toMatchObject({ index: 0, serviceRecordId: 'RJ-MANY-0', reasons: ['评价等级：应为 1 至 5 的整数'] });
    // The two oldest (index 1 and 2 of the first batch) are gone; its two later items stay, listed last.
    expect(items.slice(-2).map((i) => [i.index, i.serviceRecordId])).toEqual([
      [3, 'RJ-PHONE'],
      [4, null],
    ]);
    expect(items.some((i) => i.serviceRecordId === 'RJ-STORED')).toBe(false);
    const rows = await pg.query(`SELECT count(*)::int AS n FROM intake.rejected_uploads WHERE device_id = $1`, [device.id]);
    expect(rows.rows[0].n).toBe(REJECTED_UPLOADS_KEPT_PER_DEVICE);
  });

  it('is for admins; an unknown device is 404 and a malformed id 400, as problem+json', async () => {
    await http().get(`/api/v1/devices/${device.id}/rejected-uploads`).set('Authorization', bearer('unit_operator', 'CN-01')).expect(403);
    await http().get(`/api/v1/devices/${device.id}/rejected-uploads`).expect(401);
    const missing = await listed('00000000-0000-4000-8000-000000000099').expect(404);
    expect(missing.headers['content-type']).toContain('application/problem+json');
    expect(missing.body.code).toBe('NOT_FOUND');
    const malformed = await listed('not-a-uuid').expect(400);
    expect(malformed.body.code).toBe('VALIDATION_FAILED');
  });
});
