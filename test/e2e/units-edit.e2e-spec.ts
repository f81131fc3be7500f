import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';
import { INTAKE_APP, IntakeModule } from '../../apps/intake/src/intake.module.js';
import { RECTIFICATION_APP, RectificationModule } from '../../apps/rectification/src/rectification.module.js';
import { STATISTICS_APP, StatisticsModule } from '../../apps/statistics/src/statistics.module.js';
import { shanghaiDate } from '#libs/common';
import {
  applyTestEnv,
  bearer,
  clientHeaders,
  createTestDatabase,
  type Credential,
  deviceHeaders,
  eventually,
  registerDevice,
  startTestService,
  type TestDatabase,
} from '#libs/testing';

/** The problem every refusal for a disabled unit answers (a PAD's unit is not in its body: no field named). */
const unitDisabled = (code: string, instance: string, errors: Array<{ field: string; message: string }> = []) => ({
  type: 'https://gov-review.example/problems/unit-disabled',
  instance,
  title: 'The unit is disabled',
  status: 409,
  code: 'UNIT_DISABLED',
  detail: `Unit ${code} is disabled: it accepts no new ratings, reports or devices until an admin enables it again.`,
  errors,
});
const UNIT_FIELD = [{ field: 'unitCode', message: 'UNIT_DISABLED: the unit is disabled' }];

describe('units: rename, disable and enable again (PATCH /units/{code})', () => {
  let db: TestDatabase;
  let intake: INestApplication;
  let rectification: INestApplication;
  let statistics: INestApplication;
  let pg: Client;
  let device: Credential;
  let hotline: Credential;
  let platform: Credential;
  const admin = bearer('admin');
  const supervisor = bearer('supervisor');
  let record = 0;

  const patch = (code: string, body: unknown, auth = admin) =>
    request(intake.getHttpServer())
      .patch(`/api/v1/units/${code}`)
      .set('Authorization', auth)
      .send(body as object);
  const signed = (credential: Credential, kind: 'device' | 'client', path: string, body: unknown) => {
    const raw = JSON.stringify(body);
    const headers = kind === 'device' ? deviceHeaders(credential, 'POST', path, raw) : clientHeaders(credential, 'POST', path, raw);
    return request(intake.getHttpServer()).post(path).set(headers).set('Content-Type', 'application/json').send(raw);
  };
  const rating = (level = 5) => ({
    serviceRecordId: `UE-${++record}`,
    serviceItemCode: '310105-XK-0001',
    serviceItemName: '食品经营许可',
    level,
    ...(level <= 2 ? { tags: ['ATTITUDE'] } : {}),
    ratedAt: new Date().toISOString(),
  });
  const auditLines = async () =>
    (
      (await request(intake.getHttpServer()).get('/api/v1/audit?action=UNIT_UPDATED&pageSize=100').set('Authorization', admin).expect(200))
        .body.items as Array<{ summary: string; at: string }>
    )
      .map((e) => e.summary)
      .reverse();
  const updateEvents = async (code: string) =>
    (
      await pg.query(
        `SELECT payload->'data' AS data FROM intake.outbox WHERE payload->>'type' = 'gov.unit.updated' AND message_key = $1 ORDER BY id`,
        [code],
      )
    ).rows.map((r: { data: Record<string, unknown> }) => r.data);
  const today = () => shanghaiDate(new Date().toISOString());
  const dayAfter = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
  /** The units a summary report over [from, to] lists, as code → name. */
  const listed = async (from: string, to: string) =>
    Object.fromEntries(
      (
        (
          await request(statistics.getHttpServer())
            .get(`/api/v1/reports/summary?from=${from}&to=${to}`)
            .set('Authorization', supervisor)
            .expect(200)
        ).body.units as Array<{ unitCode: string; unitName: string }>
      ).map((u) => [u.unitCode, u.unitName]),
    );

  beforeAll(async () => {
    db = await createTestDatabase('units_edit');
    applyTestEnv(db.url);
    intake = await startTestService(IntakeModule, INTAKE_APP);
    rectification = await startTestService(RectificationModule, RECTIFICATION_APP);
    statistics = await startTestService(StatisticsModule, STATISTICS_APP);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    device = await registerDevice(intake.getHttpServer(), { code: 'UE-01', name: '甲局' }, 'A01');
    for (const [code, name] of [
      ['UE-02', '丙局'],
      ['UE-03', '戊局'],
    ])
      await request(intake.getHttpServer()).post('/api/v1/units').set('Authorization', admin).send({ code, name }).expect(201);
    const client = await request(intake.getHttpServer())
      .post('/api/v1/hotline-clients')
      .set('Authorization', admin)
      .send({ name: '区12345热线' });
    hotline = { id: client.body.clientId, secret: client.body.secret };
    const online = await request(intake.getHttpServer())
      .post('/api/v1/platform-clients')
      .set('Authorization', admin)
      .send({ name: '一网通办平台', channel: 'ONLINE' });
    platform = { id: online.body.clientId, secret: online.body.secret };
  });

  afterAll(async () => {
    await pg?.end();
    await Promise.all([intake?.close(), rectification?.close(), statistics?.close()]);
    await db?.drop();
  });

  it('refuses what is not an admin (401, 403), an unknown unit (404), and names every bad field (400), regionCode too', async () => {
    await request(intake.getHttpServer()).patch('/api/v1/units/UE-01').send({ name: '乙局' }).expect(401);
    for (const auth of [supervisor, bearer('unit_operator', 'UE-01')]) {
      const res = await patch('UE-01', { name: '乙局' }, auth).expect(403);
      expect(res.body).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    }
    const missing = await patch('NOPE-9', { name: '乙局' }).expect(404);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(missing.body).toMatchObject({ status: 404, code: 'NOT_FOUND' });

    const bad = await patch('UE-01', { name: '   ', disabled: 'yes', regionCode: 'R-01' }).expect(400);
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    expect([...new Set(bad.body.errors.map((e: { field: string }) => e.field))].sort()).toEqual(['disabled', 'name', 'regionCode']);
    const nulls = await patch('UE-01', { name: null, disabled: null }).expect(400);
    expect([...new Set(nulls.body.errors.map((e: { field: string }) => e.field))].sort()).toEqual(['disabled', 'name']);
    const long = await patch('UE-01', { name: '局'.repeat(101) }).expect(400);
    expect(long.body.errors.map((e: { field: string }) => e.field)).toEqual(['name']);
    // Nothing changed, nothing recorded.
    expect(await updateEvents('UE-01')).toEqual([]);
    expect(await auditLines()).toEqual([]);
  });

  it('renames, disables and enables again: the code stays, each change audited in Chinese and announced by gov.unit.updated', async () => {
    const renamed = await patch('UE-01', { name: '乙局' }).expect(200);
    expect(renamed.body).toEqual({ code: 'UE-01', name: '乙局', createdAt: expect.any(String), disabled: false, disabledAt: null });
    const disabled = await patch('UE-01', { disabled: true }).expect(200);
    expect(disabled.body).toMatchObject({ code: 'UE-01', name: '乙局', disabled: true, disabledAt: expect.any(String) });
    // Disabling again, or the same name again, changes nothing and records nothing.
    expect((await patch('UE-01', { disabled: true, name: '乙局' }).expect(200)).body).toEqual(disabled.body);
    expect((await patch('UE-01', {}).expect(200)).body).toEqual(disabled.body);
    await patch('UE-02', { name: '丁局', disabled: true }).expect(200);

    const units = (await request(intake.getHttpServer()).get('/api/v1/units').set('Authorization', supervisor).expect(200)).body;
    expect(units.map((u: { code: string; name: string; disabled: boolean }) => [u.code, u.name, u.disabled])).toEqual([
      ['UE-01', '乙局', true],
      ['UE-02', '丁局', true],
      ['UE-03', '戊局', false],
    ]);
    expect(await auditLines()).toEqual([
      '修改单位 UE-01：名称 甲局 → 乙局',
      '修改单位 UE-01 乙局：停用',
      '修改单位 UE-02：名称 丙局 → 丁局；停用',
    ]);
    expect(await updateEvents('UE-01')).toEqual([
      { unitCode: 'UE-01', unitName: '乙局', disabled: false, disabledAt: null, updatedAt: expect.any(String) },
      { unitCode: 'UE-01', unitName: '乙局', disabled: true, disabledAt: disabled.body.disabledAt, updatedAt: disabled.body.disabledAt },
    ]);
  });

  it('refuses anything new for a disabled unit with 409 UNIT_DISABLED, and stores none of it', async () => {
    const reviews = async () => Number((await pg.query(`SELECT count(*) AS n FROM intake.reviews WHERE unit_code = 'UE-01'`)).rows[0].n);
    const before = await reviews();
    const single = await signed(device, 'device', '/api/v1/ratings', rating()).expect(409);
    expect(single.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(single.body).toEqual(unitDisabled('UE-01', '/api/v1/ratings'));
    const batch = await signed(device, 'device', '/api/v1/ratings/batch', { ratings: [rating(), rating(1)] }).expect(409);
    expect(batch.body).toEqual(unitDisabled('UE-01', '/api/v1/ratings/batch'));
    const online = await signed(platform, 'client', '/api/v1/online/ratings', { ...rating(), unitCode: 'UE-01' }).expect(409);
    expect(online.body).toEqual(unitDisabled('UE-01', '/api/v1/online/ratings', UNIT_FIELD));
    const onlineBatch = await signed(platform, 'client', '/api/v1/online/ratings/batch', {
      ratings: [
        { ...rating(), unitCode: 'UE-01' },
        { ...rating(), unitCode: 'UE-03' },
      ],
    }).expect(200);
    expect(onlineBatch.body.results).toEqual([
      { index: 0, status: 'rejected', errors: UNIT_FIELD },
      { index: 1, status: 'created', id: expect.any(String) },
    ]);
    const now = new Date();
    const complaint = await signed(hotline, 'client', '/api/v1/hotline/complaints', {
      ticketId: '12345-UE-0001',
      unitCode: 'UE-01',
      category: 'COMPLAINT',
      content: '窗口态度差',
      receivedAt: new Date(now.getTime() - 7_200_000).toISOString(),
      transferredAt: new Date(now.getTime() - 3_600_000).toISOString(),
    }).expect(409);
    expect(complaint.body).toEqual(unitDisabled('UE-01', '/api/v1/hotline/complaints', UNIT_FIELD));
    const report = await request(intake.getHttpServer())
      .post('/api/v1/unresolved-reports')
      .set('Authorization', bearer('unit_operator', 'UE-01'))
      .send({ matter: '跨区迁移', description: '系统不支持', reportedAt: now.toISOString() })
      .expect(409);
    expect(report.body).toEqual(unitDisabled('UE-01', '/api/v1/unresolved-reports'));
    const imported = await request(intake.getHttpServer())
      .post('/api/v1/imports/ratings')
      .set('Authorization', admin)
      .send({ unitCode: 'UE-01', ratings: [{ ...rating(), ratedAt: '2024-11-20T09:30:00+08:00' }] })
      .expect(409);
    expect(imported.body).toEqual(unitDisabled('UE-01', '/api/v1/imports/ratings', UNIT_FIELD));
    const newDevice = await request(intake.getHttpServer())
      .post('/api/v1/devices')
      .set('Authorization', admin)
      .send({ unitCode: 'UE-01', windowNo: 'A02' })
      .expect(409);
    expect(newDevice.body).toEqual(unitDisabled('UE-01', '/api/v1/devices', UNIT_FIELD));
    const pairing = await request(intake.getHttpServer())
      .post(`/api/v1/devices/${device.id}/pairing-codes`)
      .set('Authorization', admin)
      .send({})
      .expect(409);
    expect(pairing.body).toEqual(unitDisabled('UE-01', `/api/v1/devices/${device.id}/pairing-codes`));
    expect(await reviews()).toBe(before);
    expect(Number((await pg.query(`SELECT count(*) AS n FROM intake.devices WHERE unit_code = 'UE-01'`)).rows[0].n)).toBe(1);
    expect(Number((await pg.query(`SELECT count(*) AS n FROM intake.unresolved_reports WHERE unit_code = 'UE-01'`)).rows[0].n)).toBe(0);
  });

  it('statistics: the new name in reports; a disabled unit listed in periods it was active in, not in later ones', async () => {
    const day = today();
    const later = [dayAfter(day, 1), dayAfter(day, 7)] as const;
    await eventually(
      () => listed(day, day),
      (units) => units['UE-01'] === '乙局' && units['UE-02'] === '丁局',
    );
    expect((await pg.query(`SELECT unit_code, unit_name, disabled_on::text FROM statistics.units ORDER BY unit_code`)).rows).toEqual([
      { unit_code: 'UE-01', unit_name: '乙局', disabled_on: day },
      { unit_code: 'UE-02', unit_name: '丁局', disabled_on: day },
      { unit_code: 'UE-03', unit_name: '戊局', disabled_on: null },
    ]);
    // The period it was disabled in, and any earlier one, list it; a period after that day does not.
    expect(await listed(day, day)).toEqual({ 'UE-01': '乙局', 'UE-02': '丁局', 'UE-03': '戊局' });
    expect(await listed('2024-10-01', '2024-12-31')).toEqual({ 'UE-01': '乙局', 'UE-02': '丁局', 'UE-03': '戊局' });
    expect(await listed(...later)).toEqual({ 'UE-03': '戊局' });
    // Enabled again: listed like any enabled unit.
    await patch('UE-02', { disabled: false }).expect(200);
    await eventually(
      () => listed(...later),
      (units) => 'UE-02' in units,
    );
    expect(await listed(...later)).toEqual({ 'UE-02': '丁局', 'UE-03': '戊局' });
    expect((await auditLines()).at(-1)).toBe('修改单位 UE-02 丁局：启用');
  });

  it('enabled again, the unit accepts ratings; rectification opens new cases under the new name, old cases keep theirs', async () => {
    await patch('UE-03', { disabled: true }).expect(200);
    await patch('UE-01', { disabled: false }).expect(200);
    const bad = await signed(device, 'device', '/api/v1/ratings', rating(1)).expect(201);
    expect(bad.body).toMatchObject({ grade: 'BAD', unitCode: 'UE-01', duplicate: false });
    const event = (await pg.query(`SELECT payload->'data' AS data FROM intake.outbox WHERE payload->>'subject' = $1`, [bad.body.id]))
      .rows[0];
    expect(event.data).toMatchObject({ unitCode: 'UE-01', unitName: '乙局' });
    const cases = await eventually(
      async () =>
        (await request(rectification.getHttpServer()).get('/api/v1/cases?unitCode=UE-01').set('Authorization', supervisor).expect(200)).body
          .items as Array<{ reviewId: string; unitName: string }>,
      (items) => items.length === 1,
    );
    expect(cases.map((c) => [c.reviewId, c.unitName])).toEqual([[bad.body.id, '乙局']]);
    // A unit disabled after its case opened: the case stays, with its name; only new things are refused.
    await patch('UE-01', { name: '己局', disabled: true }).expect(200);
    const again = (
      await request(rectification.getHttpServer()).get('/api/v1/cases?unitCode=UE-01').set('Authorization', supervisor).expect(200)
    ).body.items as Array<{ reviewId: string; unitName: string }>;
    expect(again.map((c) => [c.reviewId, c.unitName])).toEqual([[bad.body.id, '乙局']]);
    expect((await auditLines()).slice(-3)).toEqual([
      '修改单位 UE-03 戊局：停用',
      '修改单位 UE-01 乙局：启用',
      '修改单位 UE-01：名称 乙局 → 己局；停用',
    ]);
    // The unit's figures stay in the period it had them, under its current name.
    await eventually(
      () => listed(today(), today()),
      (units) => units['UE-01'] === '己局',
    );
  });
});
