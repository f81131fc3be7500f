import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';
import { INTAKE_APP, IntakeModule } from '../../apps/intake/src/intake.module.js';
import {
  applyTestEnv,
  bearer,
  createTestDatabase,
  type Credential,
  deviceHeaders,
  startTestService,
  type TestDatabase,
} from '#libs/testing';

const PATH = '/api/v1/ratings/batch';

describe('intake: POST /ratings/batch (offline upload)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let pg: Client;
  let device: Credential;
  const admin = bearer('admin');

  const http = () => request(app.getHttpServer());
  const upload = (body: unknown, dev = device) => {
    const raw = typeof body === 'string' ? body : JSON.stringify(body);
    return http()
      .post(PATH)
      .set(deviceHeaders(dev, 'POST', PATH, raw))
      .send(raw);
  };
  const count = async (sql: string, params: unknown[] = []) => Number((await pg.query(sql, params)).rows[0].n);
  let seq = 0;
  const rating = (over: Record<string, unknown> = {}) => ({
    serviceRecordId: `B-${++seq}`,
    serviceItemCode: '310105-XK-0001',
    level: 5,
    ratedAt: new Date(Date.UTC(2024, 10, 19, 0, 0, 0) + seq * 60_000).toISOString(),
    ...over,
  });

  beforeAll(async () => {
    db = await createTestDatabase('intake_batch');
    applyTestEnv(db.url);
    process.env.RATING_MAX_AGE_DAYS = '3660'; // the fixtures rate on fixed dates of 2024 (the age bound has its own tests)
    app = await startTestService(IntakeModule, INTAKE_APP);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    await http().post('/api/v1/units').set('Authorization', admin).send({ code: 'CN-01', name: '区市场监督管理局' }).expect(201);
    const res = await http().post('/api/v1/devices').set('Authorization', admin).send({ unitCode: 'CN-01', windowNo: 'A01' }).expect(201);
    device = { id: res.body.deviceId, secret: res.body.secret };
  });

  afterAll(async () => {
    await pg?.end();
    await app?.close();
    await db?.drop();
  });

  it('judges each item: created, duplicate, rejected with every error — and stores the valid ones', async () => {
    const existing = rating({ serviceRecordId: 'EXISTING', level: 4 });
    const single = JSON.stringify(existing);
    const first = await http()
      .post('/api/v1/ratings')
      .set(deviceHeaders(device, 'POST', '/api/v1/ratings', single))
      .send(single)
      .expect(201);

    const valid1 = rating({ level: 1, tags: ['ATTITUDE', 'PROCESS'], reviewer: { name: '王五', phone: '13700137000' } });
    const valid2 = rating({ level: 3 });
    const items = [
      valid1,
      { ...rating(), level: 9, tags: ['BOGUS'], extra: true }, // invalid: three fields
      existing, // identical to a stored rating → duplicate
      { ...existing, level: 1 }, // same record, different body → rejected ALREADY_RATED
      valid2,
      valid2, // identical twice in one batch → created, then duplicate
      { ...valid2, comment: 'different' }, // same record, different body in the same batch → rejected
      'not an object',
    ];
    const res = await upload({ ratings: items }).expect(200);
    const results = res.body.results as Array<{
      index: number;
      status: string;
      id?: string;
      errors?: Array<{ field: string; message: string }>;
    }>;
    expect(results.map((r) => [r.index, r.status])).toEqual([
      [0, 'created'],
      [1, 'rejected'],
      [2, 'duplicate'],
      [3, 'rejected'],
      [4, 'created'],
      [5, 'duplicate'],
      [6, 'rejected'],
      [7, 'rejected'],
    ]);
    expect(results[1]!.errors!.map((e) => e.field).sort()).toEqual(['extra', 'level', 'tags']);
    expect(results[2]!.id).toBe(first.body.id);
    expect(results[3]!.errors).toEqual([{ field: 'serviceRecordId', message: expect.stringMatching(/^ALREADY_RATED/) }]);
    expect(results[5]!.id).toBe(results[4]!.id);
    expect(results[6]!.errors![0]!.message).toMatch(/^ALREADY_RATED/);
    expect(results[1]!.id).toBeUndefined();

    const stored = (
      await pg.query(
        `SELECT id, service_record_id, level, tags, window_no, contact_masked_phone FROM intake.reviews ORDER BY service_record_id`,
      )
    ).rows;
    expect(stored).toHaveLength(3);
    expect(stored.find((r) => r.service_record_id === valid1.serviceRecordId)).toMatchObject({
      id: results[0]!.id,
      level: 1,
      tags: ['ATTITUDE', 'PROCESS'],
      window_no: 'A01',
      contact_masked_phone: '137****7000',
    });
    expect(stored.find((r) => r.service_record_id === 'EXISTING')).toMatchObject({ level: 4 });
    const events = (await pg.query(`SELECT payload FROM intake.outbox WHERE payload->>'type' = 'gov.review.submitted'`)).rows.map(
      (r) => r.payload.data.reviewId,
    );
    expect(events.sort()).toEqual([first.body.id, results[0]!.id, results[4]!.id].sort());
  });

  it('stores a full batch of 500 in one go, each with its event', async () => {
    const before = await count(`SELECT count(*) AS n FROM intake.reviews`);
    const items = Array.from({ length: 500 }, (_, i) =>
      rating({ level: (i % 5) + 1, ratedAt: new Date(Date.UTC(2024, 9, 1) + i * 60_000).toISOString() }),
    );
    const res = await upload({ ratings: items }).expect(200);
    expect(res.body.results.filter((r: { status: string }) => r.status === 'created')).toHaveLength(500);
    expect(await count(`SELECT count(*) AS n FROM intake.reviews`)).toBe(before + 500);
    const ids = res.body.results.map((r: { id: string }) => r.id);
    expect(await count(`SELECT count(*) AS n FROM intake.outbox WHERE (payload->'data'->>'reviewId') = ANY($1::text[])`, [ids])).toBe(500);
    // A replay of the whole backlog is all duplicates with the same ids.
    const replay = await upload({ ratings: items }).expect(200);
    expect(replay.body.results.map((r: { status: string; id: string }) => [r.status, r.id])).toEqual(
      ids.map((id: string) => ['duplicate', id]),
    );
  });

  it('flags a burst found in an offline backlog', async () => {
    const items = Array.from({ length: 6 }, (_, i) => rating({ ratedAt: `2024-11-22T09:00:0${i}+08:00` }));
    const res = await upload({ ratings: items }).expect(200);
    const ids = res.body.results.map((r: { id: string }) => r.id);
    const rows = (await pg.query(`SELECT suspect, suspect_reason FROM intake.reviews WHERE id = ANY($1::uuid[])`, [ids])).rows;
    expect(rows).toHaveLength(6);
    expect(rows.every((r) => r.suspect && /^BURST/.test(r.suspect_reason))).toBe(true);
    const events = (await pg.query(`SELECT payload FROM intake.outbox WHERE (payload->'data'->>'reviewId') = ANY($1::text[])`, [ids])).rows;
    expect(events.map((e) => [e.payload.type, e.payload.data.suspect])).toEqual(Array(6).fill(['gov.review.submitted', true]));
  });

  it('answers 413 over 500 items or over 1 MiB, and stores nothing', async () => {
    const before = await count(`SELECT count(*) AS n FROM intake.reviews`);
    const tooMany = await upload({ ratings: Array.from({ length: 501 }, () => rating()) }).expect(413);
    expect(tooMany.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(tooMany.body).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    const huge = JSON.stringify({
      ratings: Array.from({ length: 400 }, () => rating({ comment: '长'.repeat(500), serviceItemName: 'x'.repeat(2000) })),
    });
    expect(Buffer.byteLength(huge)).toBeGreaterThan(1024 * 1024);
    expect((await upload(huge).expect(413)).body.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await count(`SELECT count(*) AS n FROM intake.reviews`)).toBe(before);
  });

  it('rejects an empty batch, a missing array and unknown top-level fields with 400', async () => {
    expect((await upload({ ratings: [] }).expect(400)).body.errors.map((e: { field: string }) => e.field)).toEqual(['ratings']);
    expect((await upload({}).expect(400)).body.errors.map((e: { field: string }) => e.field)).toEqual(['ratings']);
    expect(
      (await upload({ ratings: [rating()], unitCode: 'CN-02' }).expect(400)).body.errors.map((e: { field: string }) => e.field),
    ).toEqual(['unitCode']);
  });

  it('needs a valid device signature', async () => {
    const raw = JSON.stringify({ ratings: [rating()] });
    expect(
      (
        await http()
          .post(PATH)
          .set(deviceHeaders({ id: device.id, secret: 'nope' }, 'POST', PATH, raw))
          .send(raw)
          .expect(401)
      ).body.code,
    ).toBe('SIGNATURE_INVALID');
    await http()
      .post(PATH)
      .set('Authorization', admin)
      .send({ ratings: [rating()] })
      .expect(401);
  });
});
