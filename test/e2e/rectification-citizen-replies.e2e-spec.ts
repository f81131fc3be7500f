import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { signRequest } from '#libs/auth';
import { sealContact } from '#libs/common';
import { type HotlineCategory, Topics } from '#libs/contracts';
import { applyTestEnv, bearer, createTestDatabase, eventually, startTestService, type TestDatabase } from '#libs/testing';
import { RECTIFICATION_APP, RectificationModule } from '../../apps/rectification/src/rectification.module.js';
import { type CaseBody, cipher, hotlineClientEvent, openCase, outboxTypes, publish, reviewEvent, sql } from './rectification-fixtures.js';

interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

describe('rectification: honest contact times, anonymous cases, and what the citizen hears', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let receiver: Server;
  let receiverUrl: string;
  const received: Received[] = [];
  const client = { id: randomUUID(), secret: 'hotline-secret-for-replies-0123456789abcdef' };
  const supervisor = bearer('supervisor', undefined, { sub: 'sup-1' });
  const operator = bearer('unit_operator', 'CN-01', { sub: 'op-1' });
  const http = () => request(app.getHttpServer());
  const act = (id: string, action: string, auth: string, body: object = {}) =>
    http().post(`/api/v1/cases/${id}/${action}`).set('Authorization', auth).send(body);
  const full = async (id: string) => (await http().get(`/api/v1/cases/${id}`).set('Authorization', supervisor).expect(200)).body;
  const stored = async (id: string) =>
    (
      await sql<Record<string, unknown>>(
        db.url,
        `SELECT status, responded_at, responded_on_time, version FROM rectification.cases WHERE id = $1`,
        [id],
      )
    )[0];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/12345/replies`;
    db = await createTestDatabase('rect_replies');
    applyTestEnv(db.url);
    app = await startTestService(RectificationModule, RECTIFICATION_APP);
    await publish(
      app,
      Topics.HotlineClients,
      'hotline',
      hotlineClientEvent({ clientId: client.id, name: '12345热线', callbackUrl: receiverUrl, secret: client.secret, revoked: false }),
    );
  });

  afterAll(async () => {
    await app?.close();
    await new Promise((resolve) => receiver?.close(resolve));
    await db?.drop();
  });

  /** A 12345 case of the test client, opened through the review event as intake emits it. */
  async function hotlineCase(category: HotlineCategory = 'COMPLAINT'): Promise<{ caseBody: CaseBody; ticketId: string }> {
    const ticketId = `12345-${randomUUID().slice(0, 8)}`;
    const caseBody = await openCase(
      app,
      supervisor,
      reviewEvent({
        channel: 'HOTLINE_12345',
        level: null,
        grade: category === 'COMPLAINT' ? 'BAD' : 'NONE',
        ticketId,
        hotlineClientId: client.id,
        category,
        dueAt: new Date(Date.now() + 10 * 86_400_000).toISOString(),
      }),
    );
    return { caseBody, ticketId };
  }

  async function delivered(ticketId: string): Promise<Received> {
    return eventually(
      async () => received.find((r) => (JSON.parse(r.body) as { ticketId: string }).ticketId === ticketId),
      (r): r is Received => r !== undefined,
    ) as Promise<Received>;
  }

  describe('respond: contactedAt between the case opening and now', () => {
    it('refuses a back-dated contact with 400 naming contactedAt, and stores nothing', async () => {
      const opened = await openCase(app, operator, reviewEvent({ receivedAt: new Date(Date.now() - 3_600_000).toISOString() }));
      await act(opened.id, 'accept', operator).expect(200);
      const before = await stored(opened.id);
      const backdated = new Date(Date.parse(opened.openedAt as string) - 2 * 86_400_000).toISOString();
      const res = await act(opened.id, 'respond', operator, { contactedAt: backdated, method: 'PHONE', note: '已联系' }).expect(400);
      expect(res.body).toMatchObject({
        status: 400,
        code: 'VALIDATION_FAILED',
        errors: [{ field: 'contactedAt', message: `must not be before the case opened (${opened.openedAt as string})` }],
      });
      const future = await act(opened.id, 'respond', operator, {
        contactedAt: new Date(Date.now() + 600_000).toISOString(),
        method: 'PHONE',
        note: '已联系',
      }).expect(400);
      expect(future.body.errors).toEqual([{ field: 'contactedAt', message: 'must not be in the future' }]);
      expect(await stored(opened.id)).toEqual(before);
      expect(before).toMatchObject({ status: 'ACCEPTED', responded_at: null, responded_on_time: null });
      expect((await full(opened.id)).timeline.map((e: { action: string }) => e.action)).toEqual(['open', 'accept']);
      expect(await outboxTypes(db.url, opened.id)).toEqual(['gov.case.opened', 'gov.case.accepted']);
      // The opening instant itself is a valid contact time.
      const ok = await act(opened.id, 'respond', operator, { contactedAt: opened.openedAt, method: 'PHONE', note: '已联系' }).expect(200);
      expect(ok.body).toMatchObject({ status: 'RESPONDED', respondedAt: opened.openedAt, respondedOnTime: true });
    });
  });

  describe('anonymous cases: NO_CONTACT and closing without a fake feedback', () => {
    it('refuses NO_CONTACT where the case has a phone number (409 CONTACT_AVAILABLE), nothing stored', async () => {
      const opened = await openCase(app, operator, reviewEvent());
      await act(opened.id, 'accept', operator).expect(200);
      const res = await act(opened.id, 'respond', operator, {
        contactedAt: new Date().toISOString(),
        method: 'NO_CONTACT',
        note: 'x',
      }).expect(409);
      expect(res.body).toMatchObject({
        status: 409,
        code: 'CONTACT_AVAILABLE',
        errors: [{ field: 'method', message: expect.any(String) }],
      });
      expect(await stored(opened.id)).toMatchObject({ status: 'ACCEPTED', responded_at: null });
      expect(await outboxTypes(db.url, opened.id)).toEqual(['gov.case.opened', 'gov.case.accepted']);
    });

    it('an anonymous rating: NO_CONTACT, then rectify closes the case itself, saying it closed without feedback', async () => {
      // The reviewer left a name but no phone number: nobody can be called back.
      const anonymous = reviewEvent({ contact: sealContact(cipher(), { name: '张三' }) });
      const opened = await openCase(app, operator, anonymous);
      expect(opened.contact).toEqual({ name: '张*', phone: null, erasedAt: null });
      await act(opened.id, 'accept', operator).expect(200);
      const contactedAt = new Date().toISOString();
      const responded = await act(opened.id, 'respond', operator, { contactedAt, method: 'NO_CONTACT', note: '评价人未留联系方式' }).expect(
        200,
      );
      expect(responded.body).toMatchObject({ status: 'RESPONDED', respondedAt: contactedAt, respondedOnTime: true });
      const closed = await act(opened.id, 'rectify', operator, {
        outcome: 'RECTIFIED',
        measures: '已增设叫号屏',
        problemCategory: 'EFFICIENCY_WAITING',
      }).expect(200);
      expect(closed.body).toMatchObject({
        status: 'CLOSED',
        outcome: 'RECTIFIED',
        closedAt: expect.any(String),
        rectifiedAt: expect.any(String),
      });
      const timeline = (await full(opened.id)).timeline;
      expect(timeline.map((e: { action: string }) => e.action)).toEqual(['open', 'accept', 'respond', 'rectify']);
      expect(timeline[3].data).toMatchObject({
        closedWithoutFeedback: true,
        reason: 'NO_CONTACT',
        toStatus: 'CLOSED',
        outcome: 'RECTIFIED',
      });
      expect(await outboxTypes(db.url, opened.id)).toEqual([
        'gov.case.opened',
        'gov.case.accepted',
        'gov.case.responded',
        'gov.case.closed',
      ]);
      expect((await act(opened.id, 'feedback', operator, { reviewerSatisfied: true, note: 'x' }).expect(409)).body.code).toBe(
        'INVALID_TRANSITION',
      );
    });
  });

  describe('the 12345 reply: citizen-facing text only', () => {
    it('the hotline loop: the callback body carries the last rectify measures, never a note', async () => {
      const { caseBody, ticketId } = await hotlineCase();
      await act(caseBody.id, 'accept', operator, { note: '内部：已签收' }).expect(200);
      await act(caseBody.id, 'respond', operator, {
        contactedAt: new Date().toISOString(),
        method: 'PHONE',
        note: '内部：市民情绪激动',
      }).expect(200);
      await act(caseBody.id, 'rectify', operator, {
        outcome: 'RECTIFIED',
        measures: '第一次整改',
        problemCategory: 'ATTITUDE_RUDE',
      }).expect(200);
      await act(caseBody.id, 'feedback', operator, { reviewerSatisfied: false, note: '内部：仍不满意' }).expect(200);
      await act(caseBody.id, 'rectify', operator, {
        outcome: 'RECTIFIED',
        measures: '已对窗口人员批评教育并调整排班',
        problemCategory: 'ATTITUDE_RUDE',
      }).expect(200);
      await act(caseBody.id, 'feedback', operator, { reviewerSatisfied: true, note: '内部：满意' }).expect(200);
      const callback = await delivered(ticketId);
      const body = JSON.parse(callback.body) as Record<string, unknown>;
      expect(body).toMatchObject({
        ticketId,
        caseId: caseBody.id,
        status: 'CLOSED',
        outcome: 'RECTIFIED',
        reply: '已对窗口人员批评教育并调整排班',
      });
      expect(callback.body).not.toContain('内部');
      expect(callback.headers['x-signature']).toBe(
        signRequest(client.secret, 'POST', callback.path, String(callback.headers['x-timestamp']), callback.body),
      );
      // Notes stay in the timeline: no lifecycle event carries one.
      const events = await sql<{ note: string | null }>(
        db.url,
        `SELECT payload->'data'->>'note' AS note FROM rectification.outbox WHERE topic = $1 AND payload->>'subject' = $2`,
        [Topics.CasesLifecycle, caseBody.id],
      );
      expect(events.length).toBe(7);
      expect(events.every((e) => e.note === null)).toBe(true);
    });

    it('an upheld appeal of a hotline case requires replyToCitizen, which is what 12345 receives (not the supervisor’s note)', async () => {
      const { caseBody, ticketId } = await hotlineCase('CONSULTATION');
      expect(caseBody).toMatchObject({ source: 'HOTLINE', ticketId, status: 'PENDING' });
      await act(caseBody.id, 'accept', operator).expect(200);
      await act(caseBody.id, 'appeal', operator, { reason: '非本单位职责' }).expect(200);
      const missing = await act(caseBody.id, 'decide-appeal', supervisor, { upheld: true, note: '内部：申诉成立' }).expect(400);
      expect(missing.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'replyToCitizen', message: expect.any(String) }] });
      expect(await stored(caseBody.id)).toMatchObject({ status: 'APPEALING' });
      const decided = await act(caseBody.id, 'decide-appeal', supervisor, {
        upheld: true,
        note: '内部：申诉成立',
        replyToCitizen: '经核实，该事项不属于本单位职责，已告知市民向区住建委咨询。',
      }).expect(200);
      expect(decided.body).toMatchObject({ status: 'CLOSED', outcome: 'APPEAL_UPHELD' });
      const body = JSON.parse((await delivered(ticketId)).body) as Record<string, unknown>;
      expect(body).toMatchObject({
        ticketId,
        outcome: 'APPEAL_UPHELD',
        reply: '经核实，该事项不属于本单位职责，已告知市民向区住建委咨询。',
      });
      expect(JSON.stringify(body)).not.toContain('内部');
    });
  });
});
