import { jest } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';
import { INTAKE_APP, IntakeModule } from '../../apps/intake/src/intake.module.js';
import { PersonalDataRetentionService as IntakeRetention } from '../../apps/intake/src/retention/personal-data-retention.service.js';
import { PersonalDataRetentionService } from '../../apps/rectification/src/cases/personal-data-retention.service.js';
import { RECTIFICATION_APP, RectificationModule } from '../../apps/rectification/src/rectification.module.js';
import { Clock } from '#libs/common';
import {
  applyTestEnv,
  bearer,
  createTestDatabase,
  deviceHeaders,
  registerDevice,
  startTestService,
  type TestDatabase,
} from '#libs/testing';
import { type CaseBody, openCase, reviewEvent } from './rectification-fixtures.js';

const DAY_MS = 86_400_000;

/**
 * PIPL retention: PERSONAL_DATA_RETENTION_DAYS after a case closes, the scheduled sweep erases the
 * reviewer's name and phone (and the sealed originals of masked notes) — not masks them: they are
 * gone from the store. The case, its figures, its timeline and the reveal audit stay, with an entry
 * 已按期删除; a reveal afterwards answers 410. A reveal needs its reason (400 without).
 */
describe('personal data is erased after its retention period', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let pg: Client;
  const operator = bearer('unit_operator', 'CN-01', { sub: 'op-1' });
  const supervisor = bearer('supervisor');
  const http = () => request(app.getHttpServer());
  let clock: Clock;
  let retention: PersonalDataRetentionService;

  const close = async (c: CaseBody) => {
    const act = (action: string, body: object) =>
      http().post(`/api/v1/cases/${c.id}/${action}`).set('Authorization', operator).send(body).expect(200);
    await act('accept', {});
    await act('respond', { contactedAt: new Date().toISOString(), method: 'PHONE', note: '已电话联系，13800138000 接通' });
    await act('rectify', { outcome: 'RECTIFIED', measures: '增设窗口', problemCategory: 'EFFICIENCY_WAITING' });
    await act('feedback', { reviewerSatisfied: true, note: '评价人满意' });
  };
  const stored = async (id: string) =>
    (
      await pg.query(
        `SELECT status, contact_sealed, contact_masked_name, contact_masked_phone, contact_erased_at, closed_at,
           (SELECT count(*)::int FROM rectification.case_timeline t WHERE t.case_id = c.id AND t.data ? 'sealedText') AS sealed_notes
         FROM rectification.cases c WHERE id = $1`,
        [id],
      )
    ).rows[0] as Record<string, unknown> & { closed_at: Date };

  beforeAll(async () => {
    db = await createTestDatabase('pd_retention');
    applyTestEnv(db.url);
    process.env.PERSONAL_DATA_RETENTION_DAYS = '180';
    app = await startTestService(RectificationModule, RECTIFICATION_APP);
    clock = app.get(Clock);
    retention = app.get(PersonalDataRetentionService);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    delete process.env.PERSONAL_DATA_RETENTION_DAYS;
    await pg?.end();
    await app?.close();
    await db?.drop();
  });

  it('refuses a reveal without a reason, naming it', async () => {
    const c = await openCase(app, supervisor, reviewEvent());
    for (const body of [undefined, {}, { reason: '' }, { reason: '   ' }, { reason: null }]) {
      const res = await http().post(`/api/v1/cases/${c.id}/reveal-contact`).set('Authorization', operator).send(body).expect(400);
      expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['reason']);
    }
    const timeline = (await http().get(`/api/v1/cases/${c.id}`).set('Authorization', operator).expect(200)).body.timeline;
    expect(timeline.map((t: { action: string }) => t.action)).not.toContain('reveal-contact');
  });

  it('erases name and phone 180 days after closing, keeps the case, timeline and audit, and answers a later reveal 410', async () => {
    const kept = await openCase(app, supervisor, reviewEvent({}, { name: '李四', phone: '13900139000' }));
    const due = await openCase(app, supervisor, reviewEvent({}, { name: '张三', phone: '13800138000' }));
    const open = await openCase(app, supervisor, reviewEvent({}, { name: '王五', phone: '13700137000' }));
    await close(due);
    await close(kept);
    const revealed = await http()
      .post(`/api/v1/cases/${due.id}/reveal-contact`)
      .set('Authorization', operator)
      .send({ reason: '回访评价人核实整改情况' })
      .expect(200);
    expect(revealed.body).toMatchObject({ name: '张三', phone: '13800138000' });
    const before = (await http().get(`/api/v1/cases/${due.id}`).set('Authorization', operator).expect(200)).body;
    expect(before.contact).toEqual({ name: '张*', phone: '138****8000', erasedAt: null });
    const closedAt = (await stored(due.id)).closed_at;
    expect((await stored(due.id)).sealed_notes).toBe(1); // the respond note's phone, sealed

    // 179 days after closing: nothing is due.
    jest.spyOn(clock, 'now').mockReturnValue(new Date(closedAt.getTime() + 179 * DAY_MS));
    expect(await retention.sweep()).toBe(0);
    expect((await stored(due.id)).contact_sealed).not.toBeNull();

    // Make `kept` closed later than `due`: 180 days and an hour after `due` closed, `kept` has 179 days left.
    await pg.query(`UPDATE rectification.cases SET closed_at = $2 WHERE id = $1`, [kept.id, new Date(closedAt.getTime() + 2 * DAY_MS)]);
    const erasedAt = new Date(closedAt.getTime() + 180 * DAY_MS + 3_600_000);
    jest.spyOn(clock, 'now').mockReturnValue(erasedAt);
    expect(await retention.sweep()).toBe(1);
    expect(await retention.sweep()).toBe(0); // once

    expect(await stored(due.id)).toMatchObject({
      status: 'CLOSED',
      contact_sealed: null,
      contact_masked_name: null,
      contact_masked_phone: null,
      contact_erased_at: erasedAt,
      sealed_notes: 0,
    });
    // The case that closed later and the open one keep theirs.
    expect(await stored(kept.id)).toMatchObject({ contact_masked_name: '李*', contact_erased_at: null });
    expect((await stored(kept.id)).contact_sealed).not.toBeNull();
    expect(await stored(open.id)).toMatchObject({ contact_masked_name: '王*', contact_erased_at: null });

    const after = (await http().get(`/api/v1/cases/${due.id}`).set('Authorization', operator).expect(200)).body;
    expect(after.contact).toEqual({ name: null, phone: null, erasedAt: erasedAt.toISOString() });
    expect(after).toMatchObject({ status: 'CLOSED', outcome: 'RECTIFIED' });
    const actions = after.timeline.map((t: { action: string }) => t.action);
    expect(actions).toEqual(['open', 'accept', 'respond', 'rectify', 'feedback', 'reveal-contact', 'personal-data-erased']);
    expect(after.timeline.at(-1)).toMatchObject({
      action: 'personal-data-erased',
      actor: 'system',
      note: '已按期删除',
      data: { fields: ['name', 'phone', 'contact', 'notes'], retentionDays: 180 },
    });

    const refused = await http()
      .post(`/api/v1/cases/${due.id}/reveal-contact`)
      .set('Authorization', operator)
      .send({ reason: '再次回访' })
      .expect(410);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ status: 410, code: 'PERSONAL_DATA_ERASED', erasedAt: erasedAt.toISOString() });
    // The audit of the earlier reveal stays, with its reason.
    const audit = await http().get('/api/v1/audit/contact-reveals').set('Authorization', bearer('admin')).expect(200);
    expect(audit.body.items).toEqual([expect.objectContaining({ caseId: due.id, reason: '回访评价人核实整改情况' })]);
  });

  it('erases what intake received 180 days after receipt, audited, keeping the ratings', async () => {
    const intake = await startTestService(IntakeModule, INTAKE_APP);
    try {
      const iclock = intake.get(Clock);
      const sweep = intake.get(IntakeRetention);
      const device = await registerDevice(intake.getHttpServer(), { code: 'CN-01' }, 'A01');
      const rate = async (serviceRecordId: string, level: number) => {
        const body = JSON.stringify({
          serviceRecordId,
          serviceItemCode: '310105-XK-0001',
          level,
          comment: '请回电13800138000',
          reviewer: { name: '张三', phone: '13800138000' },
          ratedAt: new Date().toISOString(),
        });
        return (
          await request(intake.getHttpServer())
            .post('/api/v1/ratings')
            .set(deviceHeaders(device, 'POST', '/api/v1/ratings', body))
            .send(body)
            .expect(201)
        ).body.id as string;
      };
      const bad = await rate('PD-1', 1);
      const good = await rate('PD-2', 5);
      const report = (
        await request(intake.getHttpServer())
          .post('/api/v1/unresolved-reports')
          .set('Authorization', operator)
          .send({
            matter: '跨区迁移',
            description: '系统不支持',
            citizen: { name: '赵六', phone: '13600136000' },
            reportedAt: new Date().toISOString(),
          })
          .expect(201)
      ).body.id as string;
      const row = async (table: string, id: string) =>
        (
          await pg.query(
            `SELECT contact_sealed, contact_masked_name, contact_masked_phone, contact_erased_at FROM intake.${table} WHERE id = $1`,
            [id],
          )
        ).rows[0] as Record<string, unknown>;
      const received = (await pg.query(`SELECT max(received_at) AS t FROM intake.reviews`)).rows[0].t as Date;

      jest.spyOn(iclock, 'now').mockReturnValue(new Date(received.getTime() + 179 * DAY_MS));
      expect(await sweep.sweep()).toEqual({ reviews: 0, unresolvedReports: 0 });
      expect((await row('reviews', bad)).contact_sealed).not.toBeNull();

      const at = new Date(received.getTime() + 181 * DAY_MS);
      jest.spyOn(iclock, 'now').mockReturnValue(at);
      expect(await sweep.sweep()).toEqual({ reviews: 2, unresolvedReports: 1 });
      expect(await sweep.sweep()).toEqual({ reviews: 0, unresolvedReports: 0 });
      const erased = { contact_sealed: null, contact_masked_name: null, contact_masked_phone: null, contact_erased_at: at };
      expect(await row('reviews', bad)).toEqual(erased);
      expect(await row('reviews', good)).toEqual(erased);
      expect(await row('unresolved_reports', report)).toEqual(erased);

      // The rating stays, with its figures and masked comment; its reviewer says when it was erased.
      const view = (await request(intake.getHttpServer()).get(`/api/v1/ratings/${bad}`).set('Authorization', bearer('admin')).expect(200))
        .body;
      expect(view).toMatchObject({ level: 1, grade: 'BAD', comment: '请回电138****8000' });
      expect(view.reviewer).toEqual({ name: null, phone: null, erasedAt: at.toISOString() });
      // One audit entry for the sweep, by the system, in Chinese.
      const audit = (
        await request(intake.getHttpServer())
          .get('/api/v1/audit?action=PERSONAL_DATA_ERASED')
          .set('Authorization', bearer('admin'))
          .expect(200)
      ).body;
      expect(audit.items).toHaveLength(1);
      expect(audit.items[0]).toMatchObject({ action: 'PERSONAL_DATA_ERASED', actorName: '系统（按期删除）' });
      expect(audit.items[0].detail).toMatchObject({ 评价条数: 2, 办不成事反映条数: 1 });
    } finally {
      await intake.close();
    }
  });
});
