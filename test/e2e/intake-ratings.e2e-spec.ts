import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';
import { INTAKE_APP, IntakeModule } from '../../apps/intake/src/intake.module.js';
import { DataCipher } from '#libs/common';
import {
  applyTestEnv,
  bearer,
  createTestDatabase,
  type Credential,
  deviceHeaders,
  startTestService,
  type TestDatabase,
} from '#libs/testing';

const PATH = '/api/v1/ratings';

describe('intake: POST /ratings (device HMAC), duplicates, conflicts, concurrency, 刷评 flags', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let pg: Client;
  let device: Credential;
  let device2: Credential;
  let otherUnitDevice: Credential;
  const admin = bearer('admin');
  const supervisor = bearer('supervisor');

  const http = () => request(app.getHttpServer());
  const rate = (dev: Credential, body: unknown, path = PATH) => {
    const raw = JSON.stringify(body);
    return http()
      .post(path)
      .set(deviceHeaders(dev, 'POST', path, raw))
      .send(raw);
  };
  const events = async (type: string) =>
    (await pg.query(`SELECT message_key, topic, payload FROM intake.outbox WHERE payload->>'type' = $1 ORDER BY id`, [type]))
      .rows as Array<{
      message_key: string;
      topic: string;
      payload: { id: string; data: Record<string, unknown> };
    }>;
  const reviewsOf = async (serviceRecordId: string) =>
    (await pg.query(`SELECT * FROM intake.reviews WHERE service_record_id = $1 ORDER BY created_at`, [serviceRecordId])).rows as Array<
      Record<string, unknown>
    >;
  const registerDevice = async (unitCode: string, windowNo: string): Promise<Credential> => {
    const res = await http().post('/api/v1/devices').set('Authorization', admin).send({ unitCode, windowNo }).expect(201);
    return { id: res.body.deviceId, secret: res.body.secret };
  };
  const rating = (over: Record<string, unknown> = {}) => ({
    serviceRecordId: `SR-${Math.random().toString(36).slice(2, 10)}`,
    serviceItemCode: '310105-XK-0001',
    serviceItemName: '食品经营许可',
    staffId: 'E1024',
    level: 5,
    ratedAt: '2024-11-20T09:30:00+08:00',
    ...over,
  });

  beforeAll(async () => {
    db = await createTestDatabase('intake_ratings');
    applyTestEnv(db.url);
    process.env.RATING_MAX_AGE_DAYS = '3660'; // the fixtures rate on fixed dates of 2024 (the age bound has its own tests)
    app = await startTestService(IntakeModule, INTAKE_APP);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    await http().post('/api/v1/units').set('Authorization', admin).send({ code: 'CN-01', name: '区市场监督管理局' }).expect(201);
    await http().post('/api/v1/units').set('Authorization', admin).send({ code: 'CN-02', name: '区人力资源和社会保障局' }).expect(201);
    device = await registerDevice('CN-01', 'A03');
    device2 = await registerDevice('CN-01', 'A04');
    otherUnitDevice = await registerDevice('CN-02', 'B01');
  });

  afterAll(async () => {
    await pg?.end();
    await app?.close();
    await db?.drop();
  });

  it('stores a bad rating with unit and window from the device, contact sealed and masked, and its event, before the 201', async () => {
    const body = rating({
      serviceRecordId: 'CN-2024-000123',
      level: 2,
      tags: ['EFFICIENCY'],
      comment: '等了很久',
      reviewer: { name: '张三', phone: '13800138000' },
    });
    const res = await rate(device, body).expect(201);
    expect(res.body).toEqual({ id: expect.any(String), grade: 'BAD', unitCode: 'CN-01', quarter: '2024-Q4', duplicate: false });

    const [row] = await reviewsOf('CN-2024-000123');
    expect(row).toMatchObject({
      id: res.body.id,
      unit_code: 'CN-01',
      channel: 'PAD',
      window_no: 'A03',
      device_id: device.id,
      level: 2,
      grade: 'BAD',
      tags: ['EFFICIENCY'],
      comment: '等了很久',
      staff_id: 'E1024',
      service_item_name: '食品经营许可',
      contact_masked_name: '张*',
      contact_masked_phone: '138****8000',
      suspect: false,
    });
    expect((row.rated_at as Date).toISOString()).toBe('2024-11-20T01:30:00.000Z');
    expect(JSON.stringify(row)).not.toContain('13800138000');
    expect(JSON.stringify(row)).not.toContain('张三');
    const cipher = new DataCipher(process.env.DATA_ENCRYPTION_KEY!);
    expect(cipher.openJson(row.contact_sealed as string)).toEqual({ name: '张三', phone: '13800138000' });

    const submitted = (await events('gov.review.submitted')).filter((e) => e.payload.data.reviewId === res.body.id);
    expect(submitted).toHaveLength(1);
    expect(submitted[0]).toMatchObject({ topic: 'reviews.submitted', message_key: 'CN-01' });
    expect(submitted[0].payload).toMatchObject({ specversion: '1.0', source: '/gov-review/intake', subject: res.body.id });
    expect(submitted[0].payload.data).toMatchObject({
      unitCode: 'CN-01',
      unitName: '区市场监督管理局',
      channel: 'PAD',
      level: 2,
      grade: 'BAD',
      tags: ['EFFICIENCY'],
      windowNo: 'A03',
      serviceRecordId: 'CN-2024-000123',
      ratedAt: '2024-11-20T01:30:00.000Z',
      suspect: false,
      suspectReason: null,
      contact: { maskedName: '张*', maskedPhone: '138****8000', sealed: expect.any(String) },
    });
    expect(JSON.stringify(submitted[0].payload)).not.toContain('13800138000');
  });

  it('grades the five levels: 5, 4, 3 GOOD; 2, 1 BAD', async () => {
    for (const [level, grade] of [
      [5, 'GOOD'],
      [4, 'GOOD'],
      [3, 'GOOD'],
      [2, 'BAD'],
      [1, 'BAD'],
    ] as const) {
      const body = rating({ level, ratedAt: `2024-0${level}-01T10:00:00+08:00` });
      const res = await rate(device, body).expect(201);
      expect(res.body.grade).toBe(grade);
      expect((await reviewsOf(body.serviceRecordId))[0]).toMatchObject({ level, grade });
    }
    expect((await rate(device, rating({ ratedAt: '2024-03-31T23:59:59+08:00' })).expect(201)).body.quarter).toBe('2024-Q1');
    expect((await rate(device, rating({ ratedAt: '2024-03-31T16:00:00Z' })).expect(201)).body.quarter).toBe('2024-Q2');
  });

  it('lists the bad-review tags with Chinese labels and the levels', async () => {
    const res = await http().get('/api/v1/rating-tags').expect(200);
    expect(res.body.tags).toEqual(
      expect.arrayContaining([
        { code: 'ATTITUDE', label: '服务态度差' },
        { code: 'EFFICIENCY', label: '办事效率低' },
        { code: 'OTHER', label: '其他' },
      ]),
    );
    expect(res.body.levels).toContainEqual({ level: 3, name: '基本满意', grade: 'GOOD' });
  });

  it('lists every invalid field in one problem+json, unknown fields included, and stores nothing', async () => {
    const body = {
      serviceRecordId: 'x'.repeat(65),
      level: 6,
      tags: ['NOPE', 'ATTITUDE'],
      comment: '差'.repeat(501),
      reviewer: { phone: '12345', nickname: 'x' },
      ratedAt: new Date(Date.now() + 3_600_000).toISOString(),
      unitCode: 'CN-02',
    };
    const res = await rate(device, body).expect(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(
      [
        'comment',
        'level',
        'ratedAt',
        'reviewer.nickname',
        'reviewer.phone',
        'serviceItemCode',
        'serviceRecordId',
        'tags',
        'unitCode',
      ].sort(),
    );
    expect(res.body.errors.find((e: { field: string }) => e.field === 'ratedAt').message).toMatch(/300 seconds in the future/);
    expect(await reviewsOf('x'.repeat(65))).toHaveLength(0);
  });

  it.each([
    ['a level given as a string', { level: '5' }, 'level'],
    ['a fractional level', { level: 2.5 }, 'level'],
    ['level 0', { level: 0 }, 'level'],
    ['a ratedAt without offset', { ratedAt: '2024-11-20T09:30:00' }, 'ratedAt'],
    ['a ratedAt that is no date', { ratedAt: 'yesterday' }, 'ratedAt'],
    ['an empty serviceRecordId', { serviceRecordId: '' }, 'serviceRecordId'],
    ['repeated tags', { level: 1, tags: ['ATTITUDE', 'ATTITUDE'] }, 'tags'],
    ['a reviewer that is no object', { reviewer: 'x' }, 'reviewer'],
    ['a landline phone', { reviewer: { phone: '02112345678' } }, 'reviewer.phone'],
  ])('rejects %s', async (_name, over, field) => {
    const res = await rate(device, rating(over)).expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('accepts a ratedAt up to 300 s ahead of server time', async () => {
    const body = rating({ ratedAt: new Date(Date.now() + 240_000).toISOString() });
    await rate(device, body).expect(201);
    expect(await reviewsOf(body.serviceRecordId)).toHaveLength(1);
  });

  it('refuses bad signatures, skewed or missing timestamps, unknown and revoked devices', async () => {
    const body = JSON.stringify(rating());
    const good = deviceHeaders(device, 'POST', PATH, body);
    const send = (headers: Record<string, string>, raw = body) => http().post(PATH).set(headers).send(raw);

    expect((await send({ 'Content-Type': 'application/json' }).expect(401)).body.code).toBe('UNAUTHENTICATED');
    expect((await send({ ...good, 'X-Signature': `v1=${'0'.repeat(64)}` }).expect(401)).body.code).toBe('SIGNATURE_INVALID');
    expect((await send(good, JSON.stringify(rating({ level: 1 }))).expect(401)).body.code).toBe('SIGNATURE_INVALID');
    expect((await send(deviceHeaders({ id: device.id, secret: 'wrong' }, 'POST', PATH, body)).expect(401)).body.code).toBe(
      'SIGNATURE_INVALID',
    );
    expect((await send(deviceHeaders(device, 'POST', '/api/v1/ratings?x=1', body)).expect(401)).body.code).toBe('SIGNATURE_INVALID');
    expect((await send(deviceHeaders(device, 'POST', PATH, body, Date.now() - 301_000)).expect(401)).body.code).toBe('TIMESTAMP_SKEW');
    expect((await send(deviceHeaders(device, 'POST', PATH, body, Date.now() + 301_000)).expect(401)).body.code).toBe('TIMESTAMP_SKEW');
    expect(
      (await send(deviceHeaders({ id: '00000000-0000-4000-8000-000000000000', secret: 'x' }, 'POST', PATH, body)).expect(401)).body.code,
    ).toBe('SIGNATURE_INVALID');
    expect(await reviewsOf(JSON.parse(body).serviceRecordId)).toHaveLength(0);

    const doomed = await registerDevice('CN-01', 'A09');
    await rate(doomed, rating()).expect(201);
    const revoked = await http().post(`/api/v1/devices/${doomed.id}/revoke`).set('Authorization', admin).expect(200);
    expect(revoked.body).toMatchObject({ deviceId: doomed.id, revoked: true });
    const refused = await rate(doomed, rating()).expect(401);
    expect(refused.body.code).toBe('DEVICE_REVOKED');
  });

  it('answers an identical retry with 200 and the same id, and a different body with 409 ALREADY_RATED', async () => {
    const body = rating({ serviceRecordId: 'CN-DUP-1', level: 1, tags: ['ATTITUDE'], reviewer: { phone: '13900139000' } });
    const first = await rate(device, body).expect(201);
    // Same content with keys in another order is still the same body.
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const retry = await rate(device, reordered).expect(200);
    expect(retry.body).toEqual({ ...first.body, duplicate: true });
    const conflict = await rate(device, { ...body, level: 2 }).expect(409);
    expect(conflict.body).toMatchObject({ status: 409, code: 'ALREADY_RATED' });
    // A window of the same unit cannot re-rate the service instance either.
    expect((await rate(device2, { ...body, comment: 'x' }).expect(409)).body.code).toBe('ALREADY_RATED');

    const rows = await reviewsOf('CN-DUP-1');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: first.body.id, level: 1 });
    expect((await events('gov.review.submitted')).filter((e) => e.payload.data.serviceRecordId === 'CN-DUP-1')).toHaveLength(1);
  });

  it('keeps the same serviceRecordId of another unit apart, and never lets a device write into another unit', async () => {
    const body = rating({ serviceRecordId: 'SHARED-1' });
    const a = await rate(device, body).expect(201);
    const b = await rate(otherUnitDevice, body).expect(201);
    expect(b.body).toMatchObject({ unitCode: 'CN-02', duplicate: false });
    expect(b.body.id).not.toBe(a.body.id);
    const rows = await reviewsOf('SHARED-1');
    expect(rows.map((r) => [r.unit_code, r.window_no]).sort()).toEqual([
      ['CN-01', 'A03'],
      ['CN-02', 'B01'],
    ]);
    const smuggled = await rate(otherUnitDevice, { ...rating({ serviceRecordId: 'SMUGGLED' }), unitCode: 'CN-01', windowNo: 'A03' }).expect(
      400,
    );
    expect(smuggled.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['unitCode', 'windowNo']);
    expect(await reviewsOf('SMUGGLED')).toHaveLength(0);
  });

  it('stores exactly one row under 20 concurrent identical requests: one 201, nineteen 200 with the same id, never a 500', async () => {
    const body = rating({ serviceRecordId: 'CONCURRENT-1', level: 2 });
    const responses = await Promise.all(Array.from({ length: 20 }, () => rate(device, body)));
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([200, ...Array(18).fill(200), 201].sort());
    const ids = new Set(responses.map((r) => r.body.id));
    expect(ids.size).toBe(1);
    expect(responses.filter((r) => r.body.duplicate === true)).toHaveLength(19);
    expect(await reviewsOf('CONCURRENT-1')).toHaveLength(1);
    expect((await events('gov.review.submitted')).filter((e) => e.payload.data.serviceRecordId === 'CONCURRENT-1')).toHaveLength(1);
  });

  it('answers concurrent different bodies for one service record with one 201 and 409s', async () => {
    const responses = await Promise.all(
      [5, 4, 3, 2, 1, 5, 4, 3].map((level, i) =>
        rate(i % 2 ? device2 : device, rating({ serviceRecordId: 'CONCURRENT-2', level, comment: `c${i}` })),
      ),
    );
    expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
    expect(responses.filter((r) => r.status === 409)).toHaveLength(7);
    expect(responses.every((r) => r.status === 201 || r.body.code === 'ALREADY_RATED')).toBe(true);
    expect(await reviewsOf('CONCURRENT-2')).toHaveLength(1);
  });

  describe('刷评: more than 5 ratings from one device with ratedAt within 10 s', () => {
    let burstDevice: Credential;
    let laterId: string;
    const ids: string[] = [];

    beforeAll(async () => {
      burstDevice = await registerDevice('CN-01', 'B99');
    });

    it('stores five quick ratings unflagged, then flags all six when the sixth arrives — earlier ones retroactively', async () => {
      for (let i = 0; i < 5; i++) {
        const res = await rate(burstDevice, rating({ ratedAt: `2024-11-21T10:00:0${i * 2}+08:00` })).expect(201);
        ids.push(res.body.id);
      }
      let rows = (await pg.query(`SELECT id, suspect FROM intake.reviews WHERE device_id = $1`, [burstDevice.id])).rows;
      expect(rows.every((r: { suspect: boolean }) => !r.suspect)).toBe(true);

      const sixth = await rate(burstDevice, rating({ ratedAt: '2024-11-21T10:00:10+08:00' })).expect(201);
      ids.push(sixth.body.id);
      rows = (await pg.query(`SELECT id, suspect, suspect_reason FROM intake.reviews WHERE device_id = $1`, [burstDevice.id])).rows;
      expect(rows).toHaveLength(6);
      expect(rows.every((r: { suspect: boolean; suspect_reason: string }) => r.suspect && r.suspect_reason.startsWith('BURST'))).toBe(true);

      const submitted = (await events('gov.review.submitted')).find((e) => e.payload.data.reviewId === sixth.body.id)!;
      expect(submitted.payload.data).toMatchObject({ suspect: true, suspectReason: expect.stringMatching(/^BURST/) });
      const changed = (await events('gov.review.suspect-changed')).filter((e) =>
        ids.slice(0, 5).includes(e.payload.data.reviewId as string),
      );
      expect(changed).toHaveLength(5);
      for (const e of changed) {
        expect(e).toMatchObject({ topic: 'reviews.submitted', message_key: 'CN-01' });
        expect(e.payload.data).toMatchObject({ unitCode: 'CN-01', suspect: true, reason: expect.stringMatching(/^BURST/) });
      }

      // A rating rated a minute later is a normal one — uploaded offline, so that only its ratedAt counts (sent live
      // right after the six, its arrival would make it part of the burst).
      const later = await rate(
        burstDevice,
        { ratings: [rating({ ratedAt: '2024-11-21T10:01:10+08:00' })] },
        '/api/v1/ratings/batch',
      ).expect(200);
      laterId = later.body.results[0].id as string;
      expect((await pg.query(`SELECT suspect FROM intake.reviews WHERE id = $1`, [laterId])).rows[0].suspect).toBe(false);
    });

    it('shows the flag and its reason to supervisors, and in the list filter', async () => {
      const one = await http().get(`/api/v1/ratings/${ids[0]}`).set('Authorization', supervisor).expect(200);
      expect(one.body).toMatchObject({ id: ids[0], suspect: true, suspectReason: expect.stringMatching(/^BURST/), windowNo: 'B99' });
      const list = await http().get(`/api/v1/ratings?suspect=true&deviceId=${burstDevice.id}`).set('Authorization', supervisor).expect(200);
      expect(list.body.total).toBe(6);
      expect(list.body.items.map((r: { id: string }) => r.id).sort()).toEqual([...ids].sort());
      await http().get(`/api/v1/ratings/${ids[0]}`).set('Authorization', bearer('unit_operator', 'CN-02')).expect(403);
      expect(
        (await http().get('/api/v1/ratings?unitCode=CN-01').set('Authorization', bearer('unit_operator', 'CN-02')).expect(403)).body.code,
      ).toBe('FORBIDDEN_UNIT');
    });

    it('lets only a supervisor clear the flag, emitting gov.review.suspect-changed, and keeps it cleared', async () => {
      const target = ids[2];
      expect(
        (await http().post(`/api/v1/ratings/${target}/clear-suspect`).set('Authorization', bearer('unit_operator', 'CN-01')).expect(403))
          .body.code,
      ).toBe('FORBIDDEN');
      await http().post(`/api/v1/ratings/${target}/clear-suspect`).set('Authorization', admin).expect(403);
      await http().post(`/api/v1/ratings/${target}/clear-suspect`).expect(401);
      const cleared = await http().post(`/api/v1/ratings/${target}/clear-suspect`).set('Authorization', supervisor).expect(200);
      expect(cleared.body).toMatchObject({
        id: target,
        suspect: false,
        suspectReason: expect.stringMatching(/^BURST/),
        suspectClearedBy: 'supervisor-user',
      });
      const again = await http().post(`/api/v1/ratings/${target}/clear-suspect`).set('Authorization', supervisor).expect(200);
      expect(again.body.suspect).toBe(false);
      const changed = (await events('gov.review.suspect-changed')).filter((e) => e.payload.data.reviewId === target);
      expect(changed.map((e) => e.payload.data.suspect)).toEqual([true, false]);
      expect(changed[1].payload.data).toEqual({ reviewId: target, unitCode: 'CN-01', suspect: false, reason: null });

      // Another rating in the same burst window does not re-flag a cleared rating.
      await rate(burstDevice, rating({ ratedAt: '2024-11-21T10:00:05+08:00' })).expect(201);
      expect((await pg.query(`SELECT suspect FROM intake.reviews WHERE id = $1`, [target])).rows[0].suspect).toBe(false);

      const notSuspect = laterId;
      expect(
        (await http().post(`/api/v1/ratings/${notSuspect}/clear-suspect`).set('Authorization', supervisor).expect(409)).body.code,
      ).toBe('INVALID_TRANSITION');
      await http().post(`/api/v1/ratings/00000000-0000-4000-8000-000000000000/clear-suspect`).set('Authorization', supervisor).expect(404);
    });

    it('lets only a supervisor confirm a suspect as 刷评: it stays flagged, leaves the open suspects, and is audited', async () => {
      const target = ids[3];
      const cleared = ids[2]; // cleared by the test before
      await http().post(`/api/v1/ratings/${target}/confirm-suspect`).set('Authorization', bearer('unit_operator', 'CN-01')).expect(403);
      await http().post(`/api/v1/ratings/${target}/confirm-suspect`).set('Authorization', admin).expect(403);
      await http().post(`/api/v1/ratings/${target}/confirm-suspect`).expect(401);

      const confirmed = await http().post(`/api/v1/ratings/${target}/confirm-suspect`).set('Authorization', supervisor).expect(200);
      expect(confirmed.body).toMatchObject({
        id: target,
        suspect: true,
        suspectReason: expect.stringMatching(/^BURST/),
        suspectStatus: 'CONFIRMED',
        suspectConfirmedBy: 'supervisor-user',
        suspectClearedAt: null,
      });
      expect(Date.parse(confirmed.body.suspectConfirmedAt)).toBeGreaterThan(Date.now() - 60_000);
      const again = await http().post(`/api/v1/ratings/${target}/confirm-suspect`).set('Authorization', supervisor).expect(200);
      expect(again.body.suspectConfirmedAt).toBe(confirmed.body.suspectConfirmedAt); // idempotent: the first decision stands

      // The event re-states the flag, once; the stored row keeps it.
      const changed = (await events('gov.review.suspect-changed')).filter((e) => e.payload.data.reviewId === target);
      expect(changed.map((e) => e.payload.data.suspect)).toEqual([true, true]);
      expect(changed[1].payload.data).toEqual({
        reviewId: target,
        unitCode: 'CN-01',
        suspect: true,
        reason: expect.stringMatching(/^BURST/),
      });
      expect((await pg.query(`SELECT suspect, suspect_confirmed_by FROM intake.reviews WHERE id = $1`, [target])).rows[0]).toEqual({
        suspect: true,
        suspect_confirmed_by: 'supervisor-user',
      });

      // The two decisions exclude each other.
      expect((await http().post(`/api/v1/ratings/${target}/clear-suspect`).set('Authorization', supervisor).expect(409)).body.code).toBe(
        'INVALID_TRANSITION',
      );
      expect((await http().post(`/api/v1/ratings/${cleared}/confirm-suspect`).set('Authorization', supervisor).expect(409)).body.code).toBe(
        'INVALID_TRANSITION',
      );
      expect((await http().post(`/api/v1/ratings/${laterId}/confirm-suspect`).set('Authorization', supervisor).expect(409)).body.code).toBe(
        'INVALID_TRANSITION',
      );
      await http()
        .post(`/api/v1/ratings/00000000-0000-4000-8000-000000000000/confirm-suspect`)
        .set('Authorization', supervisor)
        .expect(404);

      // The list by decision: open ones are the supervisor's queue.
      const byStatus = async (status: string) =>
        (
          await http()
            .get(`/api/v1/ratings?suspectStatus=${status}&deviceId=${burstDevice.id}`)
            .set('Authorization', supervisor)
            .expect(200)
        ).body as { total: number; items: Array<{ id: string; suspectStatus: string }> };
      const open = await byStatus('OPEN');
      expect(open.items.map((r) => r.id)).not.toContain(target);
      expect(open.items.map((r) => r.id)).not.toContain(cleared);
      expect(open.items.every((r) => r.suspectStatus === 'OPEN')).toBe(true);
      expect(open.total).toBeGreaterThanOrEqual(4);
      expect((await byStatus('CONFIRMED')).items.map((r) => r.id)).toEqual([target]);
      expect((await byStatus('CLEARED')).items.map((r) => [r.id, r.suspectStatus])).toEqual([[cleared, 'CLEARED']]);
      const bad = await http().get('/api/v1/ratings?suspectStatus=maybe').set('Authorization', supervisor).expect(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['suspectStatus']);

      // Both decisions are in the audit log, with the rating and no reviewer data.
      const audit = (
        await pg.query(`SELECT action, actor_sub, actor_name, detail FROM intake.audit_log WHERE action LIKE 'SUSPECT_%' ORDER BY id`)
      ).rows;
      expect(audit).toEqual([
        {
          action: 'SUSPECT_CLEARED',
          actor_sub: 'supervisor-user',
          actor_name: 'supervisor-user',
          detail: expect.objectContaining({ reviewId: cleared, unitCode: 'CN-01', deviceId: burstDevice.id }),
        },
        {
          action: 'SUSPECT_CONFIRMED',
          actor_sub: 'supervisor-user',
          actor_name: 'supervisor-user',
          detail: expect.objectContaining({ reviewId: target, unitCode: 'CN-01', reason: expect.stringMatching(/^BURST/) }),
        },
      ]);
      const listed = await http().get('/api/v1/audit?action=SUSPECT_CONFIRMED').set('Authorization', admin).expect(200);
      expect(listed.body.items.map((e: { detail: { reviewId: string } }) => e.detail.reviewId)).toEqual([target]);
      // The line staff read names the rating by unit, window, matter and time, never by its id.
      const summary = (listed.body.items as Array<{ summary: string }>)[0]!.summary;
      expect(summary).toMatch(/^确认刷评：CN-01 窗口 \S+ 办件 \S+ 的评价（\d{4}-\d{2}-\d{2} \d{2}:\d{2} 评价）$/);
      expect(summary).not.toContain(target.slice(0, 8));
    });
  });
});
