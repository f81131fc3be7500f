import type { INestApplication } from '@nestjs/common';
import ExcelJS from 'exceljs';
import { Client } from 'pg';
import request from 'supertest';
import { INTAKE_APP, IntakeModule } from '../../apps/intake/src/intake.module.js';
import { RECTIFICATION_APP, RectificationModule } from '../../apps/rectification/src/rectification.module.js';
import { STATISTICS_APP, StatisticsModule } from '../../apps/statistics/src/statistics.module.js';
import { applyTestEnv, bearer, createTestDatabase, eventually, startTestService, type TestDatabase } from '#libs/testing';
import { type CaseBody, openCase, reviewEvent } from './rectification-fixtures.js';

interface Entry {
  id: string;
  at: string;
  action: string;
  service: string;
  actorSub: string | null;
  actorUsername: string | null;
  actorDisplayName: string | null;
  actorRole: string | null;
  summary: string;
  detail: Record<string, unknown>;
}

/** Asia/Shanghai wall time of an instant, written here independently of the product's formatter. */
const shanghai = (iso: string) => new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');

describe('the audit log: every admin action of the three services, with names and Chinese summaries, exportable', () => {
  let db: TestDatabase;
  let intake: INestApplication;
  let rectification: INestApplication;
  let statistics: INestApplication;
  let pg: Client;
  const people = {
    admin: { username: 'wang.admin', displayName: '王管理', role: 'admin', unitCode: null },
    // A name a spreadsheet would run as a formula: the exports must neutralise it.
    admin2: { username: 'chen.admin', displayName: '@陈管理', role: 'admin', unitCode: null },
    operator: { username: 'li.op', displayName: '李经办', role: 'unit_operator', unitCode: 'AUD-01' },
    supervisor: { username: 'zhao.sup', displayName: '赵督查', role: 'supervisor', unitCode: null },
  } as const;
  const auth: Record<keyof typeof people, string> = { admin: '', admin2: '', operator: '', supervisor: '' };
  const ids: Record<string, string> = {};
  const http = () => request(intake.getHttpServer());
  const cases = () => request(rectification.getHttpServer());

  beforeAll(async () => {
    db = await createTestDatabase('audit_log');
    applyTestEnv(db.url);
    intake = await startTestService(IntakeModule, INTAKE_APP);
    rectification = await startTestService(RectificationModule, RECTIFICATION_APP);
    statistics = await startTestService(StatisticsModule, STATISTICS_APP);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    for (const [key, p] of Object.entries(people) as Array<[keyof typeof people, (typeof people)[keyof typeof people]]>) {
      const { rows } = await pg.query<{ id: string }>(
        `INSERT INTO intake.users (username, display_name, role, unit_code, password_hash) VALUES ($1, $2, $3, $4, 'unused') RETURNING id`,
        [p.username, p.displayName, p.role, p.unitCode],
      );
      ids[key] = rows[0]!.id;
      auth[key] = bearer(p.role, p.unitCode ?? undefined, { sub: rows[0]!.id });
    }
  });

  afterAll(async () => {
    await pg?.end();
    await Promise.all([intake?.close(), rectification?.close(), statistics?.close()]);
    await db?.drop();
  });

  const audit = async (query = 'pageSize=200') =>
    (await http().get(`/api/v1/audit?${query}`).set('Authorization', auth.admin).expect(200)).body;

  it('records each kind of admin action under the person’s name, with a Chinese summary', async () => {
    // intake: units, devices and their secrets, pairing codes, revocations, hotline clients, imports.
    await http().post('/api/v1/units').set('Authorization', auth.admin).send({ code: 'AUD-01', name: '示范单位' }).expect(201);
    const device = (
      await http()
        .post('/api/v1/devices')
        .set('Authorization', auth.admin)
        .send({ unitCode: 'AUD-01', windowNo: '3', label: '东厅' })
        .expect(201)
    ).body;
    const code = (await http().post(`/api/v1/devices/${device.deviceId}/pairing-codes`).set('Authorization', auth.admin).expect(201)).body;
    await http().post(`/api/v1/devices/${device.deviceId}/revoke`).set('Authorization', auth.admin).expect(200);
    const client = (
      await http().post('/api/v1/hotline-clients').set('Authorization', auth.admin2).send({ name: '区12345热线' }).expect(201)
    ).body;
    await http().post(`/api/v1/hotline-clients/${client.clientId}/revoke`).set('Authorization', auth.admin).expect(200);
    const imported = await http()
      .post('/api/v1/imports/ratings')
      .set('Authorization', auth.admin)
      .send({
        unitCode: 'AUD-01',
        ratings: [
          { serviceRecordId: 'OLD-1', serviceItemCode: 'S-1', level: 5, ratedAt: '2024-10-08T09:00:00+08:00' },
          { serviceRecordId: 'OLD-2', serviceItemCode: 'S-1', level: 9, ratedAt: '2024-10-08T09:00:00+08:00' },
        ],
      })
      .expect(200);
    expect(imported.body.results.map((r: { status: string }) => r.status)).toEqual(['created', 'rejected']);

    // rectification: a contact reveal (its reason now required), a case published, a calendar year confirmed.
    const opened: CaseBody = await openCase(
      rectification,
      auth.supervisor,
      reviewEvent({
        unitCode: 'AUD-01',
        unitName: '示范单位',
        ratedAt: '2026-08-03T10:00:00+08:00',
        receivedAt: '2026-08-03T10:00:00+08:00',
      }),
    );
    const noReason = await cases()
      .post(`/api/v1/cases/${opened.id}/reveal-contact`)
      .set('Authorization', auth.operator)
      .send({})
      .expect(400);
    expect(noReason.body.errors.map((e: { field: string }) => e.field)).toEqual(['reason']);
    await cases()
      .post(`/api/v1/cases/${opened.id}/reveal-contact`)
      .set('Authorization', auth.operator)
      .send({ reason: '回访评价人核实情况' })
      .expect(200);
    const act = (action: string, body: object) =>
      cases().post(`/api/v1/cases/${opened.id}/${action}`).set('Authorization', auth.operator).send(body).expect(200);
    await act('accept', {});
    await act('respond', { contactedAt: new Date().toISOString(), method: 'PHONE', note: '已电话联系' });
    await act('rectify', { outcome: 'RECTIFIED', measures: '增设潮汐窗口，高峰时段加派人员', problemCategory: 'EFFICIENCY_WAITING' });
    await act('feedback', { reviewerSatisfied: true, note: '评价人满意' });
    await cases().put(`/api/v1/cases/${opened.id}/publication`).set('Authorization', auth.operator).send({ publishable: true }).expect(200);
    await cases()
      .put('/api/v1/calendar/2030')
      .set('Authorization', auth.admin)
      .send({
        days: [
          { date: '2030-10-01', kind: 'HOLIDAY', name: '国庆节' },
          { date: '2030-10-02', kind: 'HOLIDAY', name: '国庆节' },
          { date: '2030-09-29', kind: 'WORKDAY', name: '国庆节调休' },
        ],
      })
      .expect(200);

    // statistics: a quarter published.
    await request(statistics.getHttpServer())
      .post('/api/v1/reports/quarterly/publish?year=2024&quarter=4')
      .set('Authorization', auth.supervisor)
      .expect(201);

    // rectification's and statistics' entries arrive as gov.audit.recorded events.
    const log = await eventually(
      async () => (await audit()).items as Entry[],
      (items) =>
        ['CONTACT_REVEALED', 'CASE_PUBLICATION_CHANGED', 'CALENDAR_CONFIRMED', 'QUARTER_PUBLISHED'].every((a) =>
          items.some((e) => e.action === a),
        ),
    );
    const view = (e: Entry) => [e.action, e.service, e.actorDisplayName, e.actorUsername, e.actorRole, e.summary];
    const caseNumber = String(opened.caseNumber);
    expect(caseNumber).toMatch(/^\d{4}-\d{4}-\d{4}$/);
    expect(log.map(view).reverse()).toEqual([
      ['UNIT_CREATED', 'intake', '王管理', 'wang.admin', 'admin', '新增单位 AUD-01 示范单位'],
      ['DEVICE_REGISTERED', 'intake', '王管理', 'wang.admin', 'admin', '登记设备 AUD-01 示范单位 3号窗口（东厅），签发设备密钥'],
      [
        'PAIRING_CODE_ISSUED',
        'intake',
        '王管理',
        'wang.admin',
        'admin',
        `为设备 AUD-01 3号窗口签发配对码，有效至 ${shanghai(code.expiresAt)}`,
      ],
      ['DEVICE_REVOKED', 'intake', '王管理', 'wang.admin', 'admin', '吊销设备 AUD-01 3号窗口（东厅）'],
      ['HOTLINE_CLIENT_REGISTERED', 'intake', '@陈管理', 'chen.admin', 'admin', '登记热线客户端「区12345热线」，签发接入密钥'],
      ['HOTLINE_CLIENT_REVOKED', 'intake', '王管理', 'wang.admin', 'admin', '吊销热线客户端「区12345热线」'],
      [
        'RATINGS_IMPORTED',
        'intake',
        '王管理',
        'wang.admin',
        'admin',
        '导入 AUD-01 示范单位 历史评价 2 条：新增 1 条，重复 0 条，拒收 1 条',
      ],
      [
        'CONTACT_REVEALED',
        'rectification',
        '李经办',
        'li.op',
        'unit_operator',
        `查看示范单位案件 ${caseNumber} 的评价人联系方式（姓名、电话），事由：回访评价人核实情况`,
      ],
      ['CASE_PUBLICATION_CHANGED', 'rectification', '李经办', 'li.op', 'unit_operator', `将示范单位案件 ${caseNumber} 公开为以评促改案例`],
      [
        'CALENDAR_CONFIRMED',
        'rectification',
        '王管理',
        'wang.admin',
        'admin',
        '确认 2030 年工作日历：节假日 2 天，调休上班 1 天；重算 0 件案件期限',
      ],
      ['QUARTER_PUBLISHED', 'statistics', '赵督查', 'zhao.sup', 'supervisor', '发布 2024 年第 4 季度好差评报告（全区及 1 个单位）'],
    ]);
    // The reason and the fields revealed are kept with the entry; ids are in detail, never in place of a name.
    expect(log.find((e) => e.action === 'CONTACT_REVEALED')!.detail).toEqual({
      caseId: opened.id,
      unitCode: 'AUD-01',
      reason: '回访评价人核实情况',
      fields: ['name', 'phone'],
    });
    expect(log.every((e) => !/[0-9a-f]{8}-[0-9a-f]{4}-/.test(e.summary))).toBe(true);
  });

  it('filters by action and by Asia/Shanghai days, and refuses bad filters naming them', async () => {
    const reveals = await audit('action=CONTACT_REVEALED');
    expect(reveals.items.map((e: Entry) => e.actorUsername)).toEqual(['li.op']);
    expect(reveals.total).toBe(1);
    const today = shanghai(new Date().toISOString()).slice(0, 10);
    const tomorrow = shanghai(new Date(Date.now() + 86_400_000).toISOString()).slice(0, 10);
    expect((await audit(`from=${today}&to=${today}&action=UNIT_CREATED`)).total).toBe(1);
    expect((await audit(`from=${tomorrow}`)).total).toBe(0);
    expect((await audit('to=2020-01-01')).total).toBe(0);
    const bad = await http().get('/api/v1/audit?from=2026-13-01&to=x&action=NOPE&format=pdf').set('Authorization', auth.admin).expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['action', 'format', 'from', 'to']);
    await http().get('/api/v1/audit?format=csv').set('Authorization', auth.supervisor).expect(403);
  });

  it('exports the selected entries as CSV and XLSX, names and summaries in Chinese, formulas neutralised', async () => {
    const [registered] = (await audit('action=HOTLINE_CLIENT_REGISTERED')).items as Entry[];
    const [created] = (await audit('action=UNIT_CREATED')).items as Entry[];
    const header = ['时间', '操作', '操作人', '用户名', '角色', '内容', '记录服务', '来源地址'];

    const csv = await http()
      .get('/api/v1/audit?action=HOTLINE_CLIENT_REGISTERED&format=csv')
      .set('Authorization', auth.admin)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toBe('attachment; filename="audit-log.csv"');
    expect((csv.body as Buffer).toString('utf8')).toBe(
      '\uFEFF' +
        [
          header.join(','),
          [
            shanghai(registered!.at),
            '登记热线客户端',
            "'@陈管理",
            'chen.admin',
            '系统管理员',
            '登记热线客户端「区12345热线」，签发接入密钥',
            '受理',
            '',
          ].join(','),
        ].join('\r\n') +
        '\r\n',
    );

    const xlsx = await http()
      .get('/api/v1/audit?format=xlsx&to=2100-12-31')
      .set('Authorization', auth.admin)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(xlsx.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.body as unknown as ArrayBuffer);
    const sheet = book.getWorksheet('审计日志')!;
    const rows: string[][] = [];
    sheet.eachRow((row) => rows.push((row.values as unknown[]).slice(1).map((v) => (typeof v === 'string' ? v : ''))));
    expect(rows[0]).toEqual(header);
    expect(rows).toHaveLength(12);
    expect(rows.at(-1)).toEqual([
      shanghai(created!.at),
      '新增单位',
      '王管理',
      'wang.admin',
      '系统管理员',
      '新增单位 AUD-01 示范单位',
      '受理',
      '',
    ]);
    expect(rows.find((r) => r[1] === '登记热线客户端')).toEqual([
      shanghai(registered!.at),
      '登记热线客户端',
      "'@陈管理",
      'chen.admin',
      '系统管理员',
      '登记热线客户端「区12345热线」，签发接入密钥',
      '受理',
      '',
    ]);
    expect(rows[1]).toEqual([
      expect.any(String),
      '发布季度报告',
      '赵督查',
      'zhao.sup',
      '督查人员',
      '发布 2024 年第 4 季度好差评报告（全区及 1 个单位）',
      '统计',
      '',
    ]);
  });
});
