import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { Topics } from '#libs/contracts';
import { applyTestEnv, bearer, createTestDatabase, eventually, startTestService, type TestDatabase } from '#libs/testing';
import { RECTIFICATION_APP, RectificationModule } from '../../apps/rectification/src/rectification.module.js';
import { type CaseBody, openCase, outboxTypes, publish, reviewEvent, sql, unresolvedEvent } from './rectification-fixtures.js';

describe('rectification cases over HTTP: opening, actions, roles, unit scope, errors', () => {
  let db: TestDatabase;
  let app: INestApplication;
  const supervisor = bearer('supervisor', undefined, { sub: 'sup-1' });
  const admin = bearer('admin');
  const operator = bearer('unit_operator', 'CN-01', { sub: 'op-1' });
  const otherOperator = bearer('unit_operator', 'CN-02', { sub: 'op-2' });
  const http = () => request(app.getHttpServer());
  const act = (id: string, action: string, auth: string, body: object = {}) =>
    http().post(`/api/v1/cases/${id}/${action}`).set('Authorization', auth).send(body);
  /** A contact time now: after the case opened (its review was received moments ago), not in the future. */
  const soon = () => new Date().toISOString();

  beforeAll(async () => {
    db = await createTestDatabase('rect_cases');
    applyTestEnv(db.url);
    app = await startTestService(RectificationModule, RECTIFICATION_APP);
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  describe('opening', () => {
    it('opens a BAD_REVIEW case with the 1、5、15 deadlines from receipt, idempotently, and ignores GOOD ratings', async () => {
      // Fri 2024-09-27: Sat 28 off, Sun 29 a 调休 working day, Oct 1–7 National Day, so 5 working days end on Oct 10.
      const event = reviewEvent({ receivedAt: '2024-09-27T10:00:00+08:00', ratedAt: '2024-09-27T09:59:00+08:00' });
      const good = reviewEvent({ level: 5, grade: 'GOOD' });
      await publish(app, Topics.ReviewsSubmitted, 'CN-01', good);
      const opened = await openCase(app, supervisor, event);
      await publish(app, Topics.ReviewsSubmitted, 'CN-01', event); // redelivery
      expect(opened).toMatchObject({
        source: 'BAD_REVIEW',
        unitCode: 'CN-01',
        status: 'PENDING',
        reviewId: event.data.reviewId,
        ticketId: null,
        openedAt: '2024-09-27T02:00:00.000Z',
        responseDueAt: '2024-09-29T15:59:59.999Z',
        rectifyDueAt: '2024-10-10T15:59:59.999Z',
        respondedAt: null,
        respondedOnTime: null,
        outcome: null,
        contact: { name: '张*', phone: '138****8000' },
      });
      const byReview = await sql<{ n: string }>(db.url, `SELECT count(*) AS n FROM rectification.cases WHERE review_id = ANY($1)`, [
        [event.data.reviewId, good.data.reviewId],
      ]);
      expect(byReview[0]!.n).toBe('1');
      const full = (await http().get(`/api/v1/cases/${opened.id}`).set('Authorization', supervisor).expect(200)).body;
      expect(full.timeline).toEqual([expect.objectContaining({ action: 'open', actor: 'system' })]);
      expect(JSON.stringify(full)).not.toContain('13800138000');
      expect(await outboxTypes(db.url, opened.id)).toEqual(['gov.case.opened']);
    });

    it('opens a HOTLINE case whose rectifyDueAt is the hotline dueAt and whose clock starts at transferredAt', async () => {
      const event = reviewEvent({
        channel: 'HOTLINE_12345',
        level: null,
        ticketId: '12345-20241120-0001',
        hotlineClientId: '00000000-0000-4000-8000-000000000001',
        category: 'COMPLAINT',
        receivedAt: '2024-11-20T10:00:00+08:00',
        dueAt: '2024-12-11T23:59:59+08:00',
      });
      const opened = await openCase(app, supervisor, event);
      expect(opened).toMatchObject({
        source: 'HOTLINE',
        ticketId: '12345-20241120-0001',
        openedAt: '2024-11-20T02:00:00.000Z',
        responseDueAt: '2024-11-21T15:59:59.999Z',
        rectifyDueAt: '2024-12-11T15:59:59.000Z',
      });
    });

    it('opens an UNRESOLVED case from a 办不成事 report, once, with its clock at reportedAt', async () => {
      const event = unresolvedEvent({ reportedAt: '2024-11-22T16:00:00+08:00' }); // Friday
      await publish(app, Topics.UnresolvedReported, 'CN-01', event);
      await publish(app, Topics.UnresolvedReported, 'CN-01', event);
      const page = await eventually(
        async () => (await http().get('/api/v1/cases?source=UNRESOLVED').set('Authorization', supervisor).expect(200)).body,
        (p: { total: number; items: CaseBody[] }) => p.total === 1,
      );
      expect(page.items[0]).toMatchObject({
        source: 'UNRESOLVED',
        reportId: event.data.reportId,
        reviewId: null,
        responseDueAt: '2024-11-25T15:59:59.999Z',
        rectifyDueAt: '2024-11-29T15:59:59.999Z',
        contact: { name: '王*', phone: '137****7000' },
      });
      const rows = await sql<{ n: string }>(db.url, `SELECT count(*) AS n FROM rectification.cases WHERE report_id = $1`, [
        event.data.reportId,
      ]);
      expect(rows[0]!.n).toBe('1');
    });
  });

  describe('the workflow', () => {
    it('accept → respond → rectify → unsatisfied feedback (reopened) → rectify → satisfied feedback closes, all in the timeline and outbox', async () => {
      const opened = await openCase(app, operator, reviewEvent());
      const accepted = (await act(opened.id, 'accept', operator, { note: '已签收' }).expect(200)).body;
      expect(accepted).toMatchObject({ status: 'ACCEPTED', version: opened.version + 1 });

      const contactedAt = soon();
      const responded = (await act(opened.id, 'respond', operator, { contactedAt, method: 'PHONE', note: '已电话联系' }).expect(200)).body;
      expect(responded).toMatchObject({ status: 'RESPONDED', respondedAt: contactedAt, respondedOnTime: true });

      await act(opened.id, 'rectify', operator, {
        outcome: 'RECTIFIED',
        measures: '增设窗口',
        problemCategory: 'EFFICIENCY_WINDOWS',
      }).expect(200);
      const reopened = (await act(opened.id, 'feedback', operator, { reviewerSatisfied: false, note: '仍不满意' }).expect(200)).body;
      expect(reopened).toMatchObject({ status: 'RESPONDED', reopenedCount: 1, rectifiedAt: null });
      await act(opened.id, 'rectify', operator, { outcome: 'EXPLAINED', measures: '情况说明', problemCategory: 'POLICY' }).expect(200);
      const closed = (await act(opened.id, 'feedback', operator, { reviewerSatisfied: true, note: '满意' }).expect(200)).body;
      expect(closed).toMatchObject({ status: 'CLOSED', outcome: 'EXPLAINED', closedAt: expect.any(String), reopenedCount: 1 });

      const full = (await http().get(`/api/v1/cases/${opened.id}`).set('Authorization', operator).expect(200)).body;
      expect(full.timeline.map((e: { action: string }) => e.action)).toEqual([
        'open',
        'accept',
        'respond',
        'rectify',
        'feedback',
        'rectify',
        'feedback',
      ]);
      expect(full.timeline[2]).toMatchObject({
        actor: 'op-1',
        actorRole: 'unit_operator',
        note: '已电话联系',
        data: expect.objectContaining({ method: 'PHONE', fromStatus: 'ACCEPTED', toStatus: 'RESPONDED', onTime: true }),
      });
      expect(await outboxTypes(db.url, opened.id)).toEqual([
        'gov.case.opened',
        'gov.case.accepted',
        'gov.case.responded',
        'gov.case.rectified',
        'gov.case.reopened',
        'gov.case.rectified',
        'gov.case.closed',
      ]);
      // CLOSED is terminal.
      const again = await act(opened.id, 'accept', operator).expect(409);
      expect(again.body).toMatchObject({ code: 'INVALID_TRANSITION', status: 409 });
    });

    it('records a late response as not on time', async () => {
      const opened = await openCase(app, operator, reviewEvent({ receivedAt: '2024-11-18T09:00:00+08:00' }));
      await act(opened.id, 'accept', operator).expect(200);
      const late = (
        await act(opened.id, 'respond', operator, { contactedAt: '2024-11-20T09:00:00+08:00', method: 'SMS', note: 'x' }).expect(200)
      ).body;
      expect(late).toMatchObject({ respondedAt: '2024-11-20T01:00:00.000Z', respondedOnTime: false });
    });

    it('answers 409 INVALID_TRANSITION for actions out of order', async () => {
      const opened = await openCase(app, operator, reviewEvent());
      const cases: Array<[string, string, object]> = [
        ['respond', operator, { contactedAt: soon(), method: 'PHONE', note: 'x' }],
        ['rectify', operator, { outcome: 'RECTIFIED', measures: 'x', problemCategory: 'OTHER' }],
        ['feedback', operator, { reviewerSatisfied: true, note: 'x' }],
        ['appeal', operator, { reason: 'x' }],
        ['request-extension', operator, { reason: 'x', until: '2099-01-01T00:00:00+08:00' }],
        ['decide-extension', supervisor, { approved: true, note: 'x' }],
        ['decide-appeal', supervisor, { upheld: true, note: 'x' }],
      ];
      for (const [action, auth, body] of cases) {
        const res = await act(opened.id, action, auth, body);
        expect([action, res.status, res.body.code]).toEqual([action, 409, 'INVALID_TRANSITION']);
      }
      const after = (await http().get(`/api/v1/cases/${opened.id}`).set('Authorization', operator).expect(200)).body;
      expect(after).toMatchObject({ status: 'PENDING', version: opened.version });
      expect(after.timeline).toHaveLength(1);
    });

    it('checks roles and units: 401 without a token, 403 FORBIDDEN for the wrong role, 403 FORBIDDEN_UNIT for another unit, 404 for none', async () => {
      const opened = await openCase(app, operator, reviewEvent());
      await http().post(`/api/v1/cases/${opened.id}/accept`).send({}).expect(401);
      expect((await act(opened.id, 'accept', supervisor).expect(403)).body.code).toBe('FORBIDDEN');
      expect((await act(opened.id, 'accept', admin).expect(403)).body.code).toBe('FORBIDDEN');
      expect((await act(opened.id, 'accept', otherOperator).expect(403)).body.code).toBe('FORBIDDEN_UNIT');
      expect((await act(opened.id, 'urge', operator, { note: 'x' }).expect(403)).body.code).toBe('FORBIDDEN');
      expect((await http().get(`/api/v1/cases/${opened.id}`).set('Authorization', otherOperator).expect(403)).body.code).toBe(
        'FORBIDDEN_UNIT',
      );
      expect((await act('00000000-0000-4000-8000-00000000dead', 'accept', operator).expect(404)).body.code).toBe('NOT_FOUND');
      expect((await act('not-a-uuid', 'accept', operator).expect(400)).body.code).toBe('VALIDATION_FAILED');
    });

    it('validates bodies, naming every invalid field and rejecting unknown ones', async () => {
      const opened = await openCase(app, operator, reviewEvent());
      await act(opened.id, 'accept', operator).expect(200);
      const res = await act(opened.id, 'respond', operator, { contactedAt: 'yesterday', method: 'FAX', extra: 1 }).expect(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['contactedAt', 'extra', 'method', 'note']);
      const future = await act(opened.id, 'respond', operator, {
        contactedAt: new Date(Date.now() + 3_600_000).toISOString(),
        method: 'PHONE',
        note: 'x',
      }).expect(400);
      expect(future.body.errors).toEqual([expect.objectContaining({ field: 'contactedAt' })]);
    });

    it('extends once on a supervisor approval, to at most 15 working days after opening', async () => {
      // Opened Mon 2024-11-18: 5 working days → Mon 11-25; 15 → Mon 12-09.
      const opened = await openCase(app, operator, reviewEvent({ receivedAt: '2024-11-18T09:00:00+08:00' }));
      expect(opened.rectifyDueAt).toBe('2024-11-25T15:59:59.999Z');
      await act(opened.id, 'accept', operator).expect(200);
      const tooLate = await act(opened.id, 'request-extension', operator, { reason: '复杂', until: '2024-12-10T00:00:00+08:00' }).expect(
        400,
      );
      expect(tooLate.body.errors).toEqual([expect.objectContaining({ field: 'until' })]);
      const requested = (
        await act(opened.id, 'request-extension', operator, { reason: '涉及多部门', until: '2024-12-09T23:59:59.999+08:00' }).expect(200)
      ).body;
      expect(requested.rectifyDueAt).toBe('2024-11-25T15:59:59.999Z');
      expect((await act(opened.id, 'decide-extension', operator, { approved: true, note: 'x' }).expect(403)).body.code).toBe('FORBIDDEN');
      const approved = (await act(opened.id, 'decide-extension', supervisor, { approved: true, note: '同意延期' }).expect(200)).body;
      expect(approved.rectifyDueAt).toBe('2024-12-09T15:59:59.999Z');
      const second = await act(opened.id, 'request-extension', operator, { reason: '再延', until: '2024-12-09T23:59:59+08:00' }).expect(
        409,
      );
      expect(second.body.code).toBe('INVALID_TRANSITION');
      expect(await outboxTypes(db.url, opened.id)).toEqual([
        'gov.case.opened',
        'gov.case.accepted',
        'gov.case.extension-requested',
        'gov.case.extension-decided',
      ]);
    });

    it('appeals: not upheld returns to the prior state; upheld closes with APPEAL_UPHELD; once per case', async () => {
      const a = await openCase(app, operator, reviewEvent());
      await act(a.id, 'accept', operator).expect(200);
      expect((await act(a.id, 'appeal', operator, { reason: '恶意差评', evidence: ['file-1'] }).expect(200)).body.status).toBe('APPEALING');
      expect((await act(a.id, 'decide-appeal', operator, { upheld: true, note: 'x' }).expect(403)).body.code).toBe('FORBIDDEN');
      expect((await act(a.id, 'decide-appeal', supervisor, { upheld: false, note: '不予支持' }).expect(200)).body.status).toBe('ACCEPTED');
      expect((await act(a.id, 'appeal', operator, { reason: '再次申诉' }).expect(409)).body.code).toBe('INVALID_TRANSITION');

      const b = await openCase(app, operator, reviewEvent());
      await act(b.id, 'accept', operator).expect(200);
      await act(b.id, 'respond', operator, { contactedAt: soon(), method: 'VISIT', note: 'x' }).expect(200);
      await act(b.id, 'appeal', operator, { reason: '误评' }).expect(200);
      const upheld = (await act(b.id, 'decide-appeal', supervisor, { upheld: true, note: '申诉成立' }).expect(200)).body;
      expect(upheld).toMatchObject({ status: 'CLOSED', outcome: 'APPEAL_UPHELD' });
      expect(await outboxTypes(db.url, b.id)).toEqual([
        'gov.case.opened',
        'gov.case.accepted',
        'gov.case.responded',
        'gov.case.appealed',
        'gov.case.appeal-decided',
      ]);
    });

    it('urges (督办) as a supervisor, counted and in the timeline', async () => {
      const opened = await openCase(app, operator, reviewEvent());
      const urged = (await act(opened.id, 'urge', supervisor, { note: '请尽快处理' }).expect(200)).body;
      expect(urged).toMatchObject({ status: 'PENDING', urgeCount: 1 });
      const full = (await http().get(`/api/v1/cases/${opened.id}`).set('Authorization', supervisor).expect(200)).body;
      expect(full.timeline[1]).toMatchObject({ action: 'urge', actor: 'sup-1', actorRole: 'supervisor', note: '请尽快处理' });
      expect(await outboxTypes(db.url, opened.id)).toEqual(['gov.case.opened', 'gov.case.urged']);
    });

    it('lets exactly one of many concurrent accepts win; the others get 409 and the case stays consistent', async () => {
      const opened = await openCase(app, operator, reviewEvent());
      const results = await Promise.all(Array.from({ length: 8 }, () => act(opened.id, 'accept', operator)));
      expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409, 409, 409, 409]);
      const full = (await http().get(`/api/v1/cases/${opened.id}`).set('Authorization', operator).expect(200)).body;
      expect(full).toMatchObject({ status: 'ACCEPTED', version: opened.version + 1 });
      expect(full.timeline.map((e: { action: string }) => e.action)).toEqual(['open', 'accept']);
      expect(await outboxTypes(db.url, opened.id)).toEqual(['gov.case.opened', 'gov.case.accepted']);
    });
  });

  describe('queries and contact', () => {
    it('filters by unit, status, source, overdue and opening time, paginates, and scopes unit operators', async () => {
      const other = await openCase(
        app,
        supervisor,
        reviewEvent({ unitCode: 'CN-02', unitName: '区税务局', receivedAt: '2024-10-15T10:00:00+08:00' }),
      );
      const mine = (await http().get('/api/v1/cases?pageSize=200').set('Authorization', operator).expect(200)).body;
      expect(mine.items.every((c: CaseBody) => c.unitCode === 'CN-01')).toBe(true);
      expect((await http().get('/api/v1/cases?unitCode=CN-02').set('Authorization', operator).expect(403)).body.code).toBe(
        'FORBIDDEN_UNIT',
      );
      const cn02 = (await http().get('/api/v1/cases?unitCode=CN-02').set('Authorization', supervisor).expect(200)).body;
      expect(cn02).toMatchObject({ total: 1, page: 1, pageSize: 20, items: [expect.objectContaining({ id: other.id })] });
      const ranged = (
        await http()
          .get('/api/v1/cases?from=2024-10-15T00:00:00%2B08:00&to=2024-10-15T23:59:59%2B08:00')
          .set('Authorization', supervisor)
          .expect(200)
      ).body;
      expect(ranged.items.map((c: CaseBody) => c.id)).toEqual([other.id]);
      // Dates are whole Asia/Shanghai days, inclusive: 07:00 on 30 Nov in Shanghai is 23:00 on 29 Nov in UTC.
      const early = await openCase(
        app,
        supervisor,
        reviewEvent({ unitCode: 'CN-02', unitName: '区税务局', receivedAt: '2026-11-30T07:00:00+08:00' }),
      );
      const day = async (query: string) =>
        (await http().get(`/api/v1/cases?unitCode=CN-02&${query}`).set('Authorization', supervisor).expect(200)).body.items.map(
          (c: CaseBody) => c.id,
        );
      expect(await day('from=2026-11-30&to=2026-11-30')).toEqual([early.id]);
      expect(await day('to=2026-11-29')).toEqual([other.id]);
      expect(await day('from=2024-10-15&to=2024-10-15')).toEqual([other.id]);
      expect(await day('from=2026-11-30T07:00:00%2B08:00&to=2026-11-30')).toEqual([early.id]);
      expect(await day('from=2026-11-30T07:00:00.001%2B08:00')).toEqual([]);
      const badRange = await http().get('/api/v1/cases?from=2026-11-31&to=30.11.2026').set('Authorization', supervisor).expect(400);
      expect(badRange.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['from', 'to']);
      const reversed = await http().get('/api/v1/cases?from=2026-12-01&to=2026-11-30').set('Authorization', supervisor).expect(400);
      expect(reversed.body.errors).toEqual([{ field: 'to', message: 'to must not be before from' }]);
      const closed = (await http().get('/api/v1/cases?status=CLOSED&source=BAD_REVIEW').set('Authorization', supervisor).expect(200)).body;
      expect(closed.total).toBeGreaterThanOrEqual(2);
      expect(closed.items.every((c: CaseBody) => c.status === 'CLOSED' && c.source === 'BAD_REVIEW')).toBe(true);
      const notOverdue = (await http().get('/api/v1/cases?overdue=false&pageSize=1&page=2').set('Authorization', supervisor).expect(200))
        .body;
      expect(notOverdue).toMatchObject({ page: 2, pageSize: 1 });
      expect(notOverdue.items).toHaveLength(1);
      const bad = await http().get('/api/v1/cases?pageSize=201&status=NOPE').set('Authorization', supervisor).expect(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['pageSize', 'status']);
    });

    it("reveals the contact to the unit's operator only, and records it in the timeline", async () => {
      const opened = await openCase(app, operator, reviewEvent({}, { name: '欧阳娜娜', phone: '13912345678' }));
      expect(opened.contact).toEqual({ name: '欧***', phone: '139****5678', erasedAt: null });
      expect(
        (
          await http()
            .post(`/api/v1/cases/${opened.id}/reveal-contact`)
            .set('Authorization', supervisor)
            .send({ reason: '回访评价人核实情况' })
            .expect(403)
        ).body.code,
      ).toBe('FORBIDDEN');
      expect(
        (
          await http()
            .post(`/api/v1/cases/${opened.id}/reveal-contact`)
            .set('Authorization', otherOperator)
            .send({ reason: '回访评价人核实情况' })
            .expect(403)
        ).body.code,
      ).toBe('FORBIDDEN_UNIT');
      // The reason is required (2–200 characters): without one, nothing is revealed.
      for (const body of [{}, { reason: '  ' }, { reason: '查' }, { reason: 'x'.repeat(201) }]) {
        const refused = await http()
          .post(`/api/v1/cases/${opened.id}/reveal-contact`)
          .set('Authorization', operator)
          .send(body)
          .expect(400);
        expect([...new Set(refused.body.errors.map((e: { field: string }) => e.field))]).toEqual(['reason']);
      }
      const revealed = (
        await http()
          .post(`/api/v1/cases/${opened.id}/reveal-contact`)
          .set('Authorization', operator)
          .send({ reason: '回访评价人核实情况' })
          .expect(200)
      ).body;
      expect(revealed).toEqual({ name: '欧阳娜娜', phone: '13912345678', freeText: {}, notes: [] });
      const full = (await http().get(`/api/v1/cases/${opened.id}`).set('Authorization', supervisor).expect(200)).body;
      expect(full.timeline[1]).toMatchObject({ action: 'reveal-contact', actor: 'op-1', actorRole: 'unit_operator' });
      expect(full.contact).toEqual({ name: '欧***', phone: '139****5678', erasedAt: null });
    });
  });
});
