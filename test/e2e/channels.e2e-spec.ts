import type { INestApplication } from '@nestjs/common';
import ExcelJS from 'exceljs';
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
  registerDevice,
  startTestService,
  type TestDatabase,
} from '#libs/testing';

const RATINGS = '/api/v1/ratings';
const IMPORTS = '/api/v1/imports/ratings';
const COMPLAINTS = '/api/v1/hotline/complaints';

/** What every report format must say of the quarter's reviews by channel (see the ratings stored below). */
const BY_CHANNEL = { PAD: 4, HOTLINE_12345: 1, ONLINE: 2, QR: 1, SMS: 0, PROVINCE: 1 };

describe('channels and 一事一评: one rating per matter and stage across channels, counted by channel', () => {
  let db: TestDatabase;
  let intake: INestApplication;
  let rectification: INestApplication;
  let statistics: INestApplication;
  let pg: Client;
  let device: Credential;
  let hotline: Credential;
  const admin = bearer('admin');
  const supervisor = bearer('supervisor');
  const rating = (serviceRecordId: string, over: Record<string, unknown> = {}) => ({
    serviceRecordId,
    serviceItemCode: '310105-XK-0001',
    serviceItemName: '食品经营许可',
    level: 5,
    ratedAt: '2024-11-20T09:30:00+08:00',
    ...over,
  });
  const pad = (body: unknown) => {
    const raw = JSON.stringify(body);
    return request(intake.getHttpServer())
      .post(RATINGS)
      .set(deviceHeaders(device, 'POST', RATINGS, raw))
      .set('Content-Type', 'application/json')
      .send(raw);
  };
  const importRatings = (ratings: unknown[]) =>
    request(intake.getHttpServer()).post(IMPORTS).set('Authorization', admin).send({ unitCode: 'CN-01', ratings });
  const stored = async (serviceRecordId: string) =>
    (
      await pg.query(
        `SELECT channel, stage, level FROM intake.reviews WHERE unit_code = 'CN-01' AND service_record_id = $1 ORDER BY stage`,
        [serviceRecordId],
      )
    ).rows;
  const submittedEvent = async (reviewId: string) =>
    (
      await pg.query(`SELECT payload FROM intake.outbox WHERE payload->>'subject' = $1 AND payload->>'type' = 'gov.review.submitted'`, [
        reviewId,
      ])
    ).rows[0]?.payload;

  beforeAll(async () => {
    db = await createTestDatabase('channels');
    applyTestEnv(db.url);
    process.env.RATING_MAX_AGE_DAYS = '3660'; // the fixtures rate on fixed dates of 2024 (the age bound has its own tests)
    intake = await startTestService(IntakeModule, INTAKE_APP);
    rectification = await startTestService(RectificationModule, RECTIFICATION_APP);
    statistics = await startTestService(StatisticsModule, STATISTICS_APP);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    device = await registerDevice(intake.getHttpServer(), { code: 'CN-01', name: '区市场监督管理局' }, 'A01');
    const client = await request(intake.getHttpServer())
      .post('/api/v1/hotline-clients')
      .set('Authorization', admin)
      .send({ name: '区12345热线' });
    hotline = { id: client.body.clientId, secret: client.body.secret };
  });

  afterAll(async () => {
    await pg?.end();
    await Promise.all([intake?.close(), rectification?.close(), statistics?.close()]);
    await db?.drop();
  });

  it("keeps the PAD's idempotency as it was: 201, the same body 200 duplicate, another body 409 ALREADY_RATED", async () => {
    const first = await pad(rating('M-1')).expect(201);
    expect(first.body).toEqual({ id: expect.any(String), grade: 'GOOD', unitCode: 'CN-01', quarter: '2024-Q4', duplicate: false });
    const again = await pad(rating('M-1')).expect(200);
    expect(again.body).toEqual({ ...first.body, duplicate: true });
    const changed = await pad(rating('M-1', { level: 1, tags: ['ATTITUDE'] })).expect(409);
    expect(changed.body).toMatchObject({ code: 'ALREADY_RATED', errors: [{ field: 'serviceRecordId' }] });
    expect(await stored('M-1')).toEqual([{ channel: 'PAD', stage: 'COMPLETION', level: 5 }]);
    // Naming the default stage is the same matter and stage: the same rating again.
    const named = await pad(rating('M-1', { stage: 'COMPLETION' })).expect(200);
    expect(named.body).toEqual({ ...first.body, duplicate: true });
  });

  it('rates the acceptance and the completion of one matter apart (一事一评: one per stage)', async () => {
    const acceptance = await pad(rating('M-2', { stage: 'ACCEPTANCE', level: 4 })).expect(201);
    const completion = await pad(rating('M-2', { level: 3 })).expect(201);
    expect(acceptance.body.id).not.toBe(completion.body.id);
    expect(await stored('M-2')).toEqual([
      { channel: 'PAD', stage: 'ACCEPTANCE', level: 4 },
      { channel: 'PAD', stage: 'COMPLETION', level: 3 },
    ]);
    const view = await request(intake.getHttpServer())
      .get(`/api/v1/ratings/${acceptance.body.id}`)
      .set('Authorization', supervisor)
      .expect(200);
    expect(view.body).toMatchObject({ channel: 'PAD', stage: 'ACCEPTANCE', serviceRecordId: 'M-2', level: 4 });
    const event = await submittedEvent(acceptance.body.id);
    expect(event.data).toMatchObject({ channel: 'PAD', stage: 'ACCEPTANCE', serviceRecordId: 'M-2' });
  });

  it('refuses an unknown stage, naming it with every other bad field', async () => {
    const res = await pad(rating('M-3', { stage: 'HALFWAY', level: 9 })).expect(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['level', 'stage']);
    expect(await stored('M-3')).toEqual([]);
  });

  it('judges a matter across channels: the first wins, the same rating again is a duplicate, a different one ALREADY_RATED', async () => {
    const res = await importRatings([
      rating('M-1', { channel: 'ONLINE' }), // identical to the PAD's rating of M-1: a duplicate of it
      rating('M-1', { channel: 'QR', level: 2, tags: ['EFFICIENCY'] }), // another rating of M-1: refused
      rating('M-4', { channel: 'ONLINE' }),
      rating('M-5', { channel: 'ONLINE', stage: 'ACCEPTANCE' }),
      rating('M-6', { channel: 'QR', level: 1, tags: ['ATTITUDE'] }),
      rating('M-7', { channel: 'PROVINCE', level: 4 }),
      rating('M-8'), // names no channel: PAD
      rating('M-9', { channel: 'HOTLINE_12345' }), // a 12345 transfer is no rating to import
    ]).expect(200);
    const padId = (await pg.query(`SELECT id FROM intake.reviews WHERE service_record_id = 'M-1'`)).rows[0].id;
    expect(res.body.results).toEqual([
      { index: 0, status: 'duplicate', id: padId },
      { index: 1, status: 'rejected', errors: [{ field: 'serviceRecordId', message: expect.stringMatching(/ALREADY_RATED/) }] },
      { index: 2, status: 'created', id: expect.any(String) },
      { index: 3, status: 'created', id: expect.any(String) },
      { index: 4, status: 'created', id: expect.any(String) },
      { index: 5, status: 'created', id: expect.any(String) },
      { index: 6, status: 'created', id: expect.any(String) },
      { index: 7, status: 'rejected', errors: [{ field: 'channel', message: expect.stringMatching(/PAD, ONLINE, QR, SMS, PROVINCE/) }] },
    ]);
    expect(await stored('M-1')).toEqual([{ channel: 'PAD', stage: 'COMPLETION', level: 5 }]);
    expect(await stored('M-5')).toEqual([{ channel: 'ONLINE', stage: 'ACCEPTANCE', level: 5 }]);
    expect(await stored('M-8')).toEqual([{ channel: 'PAD', stage: 'COMPLETION', level: 5 }]);
    // A PAD rating of a matter the online platform rated first: the same content is a duplicate, another one a conflict.
    expect((await pad(rating('M-4')).expect(200)).body).toMatchObject({ id: res.body.results[2].id, duplicate: true });
    expect((await pad(rating('M-4', { level: 2 })).expect(409)).body.code).toBe('ALREADY_RATED');
    // The events carry the channel and the stage.
    expect((await submittedEvent(res.body.results[3].id)).data).toMatchObject({ channel: 'ONLINE', stage: 'ACCEPTANCE', imported: true });
    expect((await submittedEvent(res.body.results[4].id)).data).toMatchObject({ channel: 'QR', stage: 'COMPLETION', grade: 'BAD' });
  });

  it('counts every channel in the report, exactly, in JSON, CSV, XLSX, the bulletin and a published quarter', async () => {
    const complaint = {
      ticketId: '12345-20241120-0001',
      unitCode: 'CN-01',
      category: 'COMPLAINT',
      content: '窗口办理营业执照变更时工作人员态度差',
      receivedAt: '2024-11-20T08:00:00+08:00',
      transferredAt: '2024-11-20T10:00:00+08:00',
      dueAt: '2024-12-11T23:59:59+08:00',
    };
    const raw = JSON.stringify(complaint);
    await request(intake.getHttpServer())
      .post(COMPLAINTS)
      .set(clientHeaders(hotline, 'POST', COMPLAINTS, raw))
      .set('Content-Type', 'application/json')
      .send(raw)
      .expect(201);
    // PAD: M-1, both stages of M-2, and M-8 (imported naming no channel).
    const expected = BY_CHANNEL;
    const total = Object.values(expected).reduce((a, n) => a + n, 0);
    const get = (path: string) => request(statistics.getHttpServer()).get(path).set('Authorization', supervisor);
    const report = await eventually(
      async () => (await get('/api/v1/reports/quarterly?year=2024&quarter=4').expect(200)).body,
      (r: { reviews: { total: number; byChannel: Record<string, number> } }) => r.reviews.total === total,
    );
    expect(report.reviews.byChannel).toEqual(expected);

    const csv = await get('/api/v1/reports/quarterly?year=2024&quarter=4&format=csv').expect(200);
    for (const [label, n] of [
      ['窗口评价器', expected.PAD],
      ['12345热线', 1],
      ['一网通办', 2],
      ['扫码评价', 1],
      ['短信邀评', 0],
      ['省级平台', 1],
    ] as const)
      expect(csv.text).toContain(`渠道：${label},${n}`);

    const xlsx = await get('/api/v1/reports/quarterly?year=2024&quarter=4&format=xlsx')
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(Uint8Array.from(xlsx.body as Buffer).buffer);
    const rows = new Map<string, unknown>();
    book.getWorksheet('汇总')!.eachRow((row) => rows.set(row.getCell(1).text, row.getCell(2).value));
    expect({
      PAD: rows.get('渠道：窗口评价器'),
      HOTLINE_12345: rows.get('渠道：12345热线'),
      ONLINE: rows.get('渠道：一网通办'),
      QR: rows.get('渠道：扫码评价'),
      SMS: rows.get('渠道：短信邀评'),
      PROVINCE: rows.get('渠道：省级平台'),
    }).toEqual(expected);

    const bulletin = await get('/api/v1/reports/quarterly/bulletin?year=2024&quarter=4').expect(200);
    expect(bulletin.text).toContain(
      `窗口评价器 ${expected.PAD} 件、12345热线 1 件、一网通办 2 件、扫码评价 1 件、短信邀评 0 件、省级平台 1 件`,
    );

    const published = await request(statistics.getHttpServer())
      .post('/api/v1/reports/quarterly/publish?year=2024&quarter=4')
      .set('Authorization', supervisor)
      .expect(201);
    expect(published.body.reviews.byChannel).toEqual(expected);
    expect((await get('/api/v1/reports/quarterly?year=2024&quarter=4').expect(200)).body.reviews.byChannel).toEqual(expected);

    const rebuilt = await request(statistics.getHttpServer()).post('/api/v1/reports/rebuild').set('Authorization', admin).expect(200);
    expect(rebuilt.body).toMatchObject({ reviews: total });
    expect((await get('/api/v1/reports/quarterly?year=2024&quarter=4&live=true').expect(200)).body.reviews.byChannel).toEqual(expected);
  });
});
