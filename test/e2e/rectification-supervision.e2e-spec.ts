import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { signRequest } from '#libs/auth';
import { EventTypes, Topics } from '#libs/contracts';
import { applyTestEnv, bearer, clientHeaders, createTestDatabase, eventually, startTestService, type TestDatabase } from '#libs/testing';
import { OverdueService } from '../../apps/rectification/src/cases/overdue.service.js';
import { RECTIFICATION_APP, RectificationModule } from '../../apps/rectification/src/rectification.module.js';
import { hotlineClientEvent, openCase, outboxTypes, publish, reviewEvent, sql } from './rectification-fixtures.js';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

describe('rectification supervision: overdue sweep, calendar, hotline replies', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let receiver: Server;
  let receiverUrl: string;
  const received: Received[] = [];
  let failFirst = 0;
  const supervisor = bearer('supervisor');
  const admin = bearer('admin');
  const operator = bearer('unit_operator', 'CN-01', { sub: 'op-1' });
  const http = () => request(app.getHttpServer());
  const act = (id: string, action: string, auth: string, body: object = {}) =>
    http().post(`/api/v1/cases/${id}/${action}`).set('Authorization', auth).send(body);

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        if (failFirst > 0) {
          failFirst -= 1;
          res.writeHead(503).end();
          return;
        }
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/12345/replies?v=1`;
    db = await createTestDatabase('rect_sup');
    applyTestEnv(db.url);
    app = await startTestService(RectificationModule, RECTIFICATION_APP);
  });

  afterAll(async () => {
    await app?.close();
    await new Promise((resolve) => receiver?.close(resolve));
    await db?.drop();
  });

  it('flags each missed deadline once, with one overdue event and one automatic urge, even with sweeps racing', async () => {
    // Opened Mon 2024-11-18: response due Tue 11-19, rectification due Mon 11-25 — both long past.
    const late = await openCase(app, supervisor, reviewEvent({ receivedAt: '2024-11-18T09:00:00+08:00' }));
    const responded = await openCase(app, supervisor, reviewEvent({ receivedAt: '2024-11-18T09:00:00+08:00' }));
    await act(responded.id, 'accept', operator).expect(200);
    await act(responded.id, 'respond', operator, { contactedAt: '2024-11-19T10:00:00+08:00', method: 'PHONE', note: 'x' }).expect(200);
    await act(responded.id, 'rectify', operator, { outcome: 'RECTIFIED', measures: '已整改', problemCategory: 'OTHER' }).expect(200);
    const fresh = await openCase(app, supervisor, reviewEvent());

    const sweeper = app.get(OverdueService);
    await Promise.all([sweeper.sweep(), sweeper.sweep(), sweeper.sweep()]);
    await sweeper.sweep();

    const lateNow = (await http().get(`/api/v1/cases/${late.id}`).set('Authorization', supervisor).expect(200)).body;
    expect(lateNow).toMatchObject({ overdue: true, urgeCount: 2, status: 'PENDING' });
    expect(lateNow.timeline.map((e: { action: string; data: { kind?: string } }) => [e.action, e.data.kind ?? null])).toEqual([
      ['open', null],
      ['mark-overdue', 'response'],
      ['urge', null],
      ['mark-overdue', 'rectify'],
      ['urge', null],
    ]);
    expect(await outboxTypes(db.url, late.id)).toEqual([
      'gov.case.opened',
      'gov.case.overdue',
      'gov.case.urged',
      'gov.case.overdue',
      'gov.case.urged',
    ]);
    // Responded and rectified in time: nothing to flag.
    const ok = (await http().get(`/api/v1/cases/${responded.id}`).set('Authorization', supervisor).expect(200)).body;
    expect(ok).toMatchObject({ overdue: false, urgeCount: 0 });
    const notDue = (await http().get(`/api/v1/cases/${fresh.id}`).set('Authorization', supervisor).expect(200)).body;
    expect(notDue).toMatchObject({ overdue: false, urgeCount: 0 });
    const overdueList = (await http().get('/api/v1/cases?overdue=true').set('Authorization', supervisor).expect(200)).body;
    expect(overdueList.items.map((c: { id: string }) => c.id)).toEqual([late.id]);
  });

  it('serves the seeded calendar and lets an admin correct a year, used at once for new deadlines', async () => {
    const y2024 = (await http().get('/api/v1/calendar/2024').set('Authorization', admin).expect(200)).body;
    expect(y2024.days).toEqual(
      expect.arrayContaining([
        { date: '2024-10-01', kind: 'HOLIDAY', name: '国庆节', origin: 'seed' },
        { date: '2024-09-29', kind: 'WORKDAY', name: '国庆节', origin: 'seed' },
      ]),
    );
    expect(y2024.holidays).toHaveLength(y2024.days.filter((d: { kind: string }) => d.kind === 'HOLIDAY').length);
    expect((await http().get('/api/v1/calendar/2024').set('Authorization', supervisor).expect(403)).body.code).toBe('FORBIDDEN');

    const invalid = await http()
      .put('/api/v1/calendar/2031')
      .set('Authorization', admin)
      .send({
        days: [
          { date: '2030-01-01', kind: 'HOLIDAY' },
          { date: '2031-03-05', kind: 'WORKDAY' },
          { date: 'x', kind: 'OFF' },
        ],
      })
      .expect(400);
    expect(invalid.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['days.2.date', 'days.2.kind']);
    const semantic = await http()
      .put('/api/v1/calendar/2031')
      .set('Authorization', admin)
      .send({
        days: [
          { date: '2030-01-01', kind: 'HOLIDAY' },
          { date: '2031-03-05', kind: 'WORKDAY' },
        ],
      })
      .expect(400);
    expect(semantic.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['days.0.date', 'days.1.kind']);

    // 2031: make Tue 03-04 a holiday and Sat 03-08 a make-up working day.
    const put = (
      await http()
        .put('/api/v1/calendar/2031')
        .set('Authorization', admin)
        .send({
          days: [
            { date: '2031-03-04', kind: 'HOLIDAY', name: '测试假日' },
            { date: '2031-03-08', kind: 'WORKDAY' },
          ],
        })
        .expect(200)
    ).body;
    expect(put.days).toEqual([
      { date: '2031-03-04', kind: 'HOLIDAY', name: '测试假日', origin: 'admin' },
      { date: '2031-03-08', kind: 'WORKDAY', name: null, origin: 'admin' },
    ]);
    // Opened Mon 2031-03-03: 1 working day skips the 4th → Wed 03-05; 5 → 05,06,07,08(Sat, on),10 → Mon 03-10.
    const opened = await openCase(app, supervisor, reviewEvent({ receivedAt: '2031-03-03T09:00:00+08:00' }));
    expect(opened).toMatchObject({ responseDueAt: '2031-03-05T15:59:59.999Z', rectifyDueAt: '2031-03-10T15:59:59.999Z' });
  });

  it('answers ticket queries for the hotline client and POSTs one signed reply on closing, retried until acknowledged', async () => {
    const client = { id: randomUUID(), secret: 'hotline-secret-0123456789abcdefghijklmnopqrstu' };
    const stranger = { id: randomUUID(), secret: 'stranger-secret-0123456789abcdefghijklmnopqrst' };
    for (const c of [client, stranger]) {
      await publish(
        app,
        Topics.HotlineClients,
        'hotline',
        hotlineClientEvent({ clientId: c.id, name: '12345热线', callbackUrl: receiverUrl, secret: c.secret, revoked: false }),
      );
    }
    const ticketId = `12345-${Date.now()}`;
    const opened = await openCase(
      app,
      supervisor,
      reviewEvent({
        channel: 'HOTLINE_12345',
        level: null,
        ticketId,
        hotlineClientId: client.id,
        category: 'COMPLAINT',
        dueAt: new Date(Date.now() + 10 * 86_400_000).toISOString(),
      }),
    );
    const path = `/api/v1/hotline/tickets/${ticketId}`;
    const query = (who: { id: string; secret: string }) =>
      http()
        .get(path)
        .set(clientHeaders(who, 'GET', path, ''));
    const before = (
      await eventually(
        () => query(client),
        (r) => r.status === 200,
      )
    ).body;
    expect(before).toMatchObject({ ticketId, caseId: opened.id, status: 'PENDING', reply: null, respondedAt: null, closedAt: null });
    expect((await query(stranger).expect(404)).body.code).toBe('NOT_FOUND');
    await http().get(path).expect(401);
    await http()
      .get(path)
      .set(clientHeaders({ id: client.id, secret: 'wrong' }, 'GET', path, ''))
      .expect(401);

    failFirst = 1;
    await act(opened.id, 'accept', operator).expect(200);
    await act(opened.id, 'respond', operator, { contactedAt: new Date().toISOString(), method: 'PHONE', note: '已联系' }).expect(200);
    await act(opened.id, 'rectify', operator, {
      outcome: 'RECTIFIED',
      measures: '已对窗口人员批评教育并整改',
      problemCategory: 'ATTITUDE_RUDE',
    }).expect(200);
    await act(opened.id, 'feedback', operator, { reviewerSatisfied: true, note: '市民满意' }).expect(200);

    const after = (
      await eventually(
        () => query(client).expect(200),
        (r) => (r.body as { replyDelivery: { status: string } | null }).replyDelivery?.status === 'DELIVERED',
      )
    ).body;
    expect(after).toMatchObject({
      status: 'CLOSED',
      outcome: 'RECTIFIED',
      reply: '已对窗口人员批评教育并整改',
      closedAt: expect.any(String),
    });
    expect(after.replyDelivery.attempts).toBe(2);

    // Two deliveries (the first refused with 503): same reply id, same bytes, each validly signed.
    const mine = received.filter((r) => r.headers['x-reply-id'] === after.replyId);
    expect(mine).toHaveLength(2);
    expect(mine[0]!.body).toBe(mine[1]!.body);
    for (const r of mine) {
      expect(r.path).toBe('/12345/replies?v=1');
      expect(r.headers['x-client-id']).toBe(client.id);
      const expected = signRequest(client.secret, 'POST', r.path, String(r.headers['x-timestamp']), r.body);
      expect(r.headers['x-signature']).toBe(expected);
    }
    expect(JSON.parse(mine[0]!.body)).toEqual({
      replyId: after.replyId,
      ticketId,
      caseId: opened.id,
      unitCode: 'CN-01',
      status: 'CLOSED',
      outcome: 'RECTIFIED',
      reply: '已对窗口人员批评教育并整改',
      respondedAt: expect.any(String),
      rectifiedAt: expect.any(String),
      closedAt: after.closedAt,
    });
    const rows = await sql<{ n: string }>(db.url, `SELECT count(*) AS n FROM rectification.hotline_callbacks WHERE case_id = $1`, [
      opened.id,
    ]);
    expect(rows[0]!.n).toBe('1');
    expect(await outboxTypes(db.url, opened.id)).toContain('gov.case.closed');

    // A revoked client can no longer query.
    await publish(
      app,
      Topics.HotlineClients,
      'hotline',
      hotlineClientEvent(
        { clientId: client.id, name: '12345热线', callbackUrl: receiverUrl, secret: client.secret, revoked: true },
        EventTypes.HotlineClientRevoked,
      ),
    );
    const revoked = await eventually(
      () => query(client),
      (r) => r.status === 401,
    );
    expect(revoked.body.code).toBe('DEVICE_REVOKED');
  });
  it('keeps an undelivered reply through a restart: the next instance delivers the same reply', async () => {
    const client = { id: randomUUID(), secret: 'restart-secret-0123456789abcdefghijklmnopqrs' };
    await publish(
      app,
      Topics.HotlineClients,
      'hotline',
      hotlineClientEvent({ clientId: client.id, name: '12345热线', callbackUrl: receiverUrl, secret: client.secret, revoked: false }),
    );
    const ticketId = `12345-restart-${Date.now()}`;
    const opened = await openCase(
      app,
      supervisor,
      reviewEvent({ channel: 'HOTLINE_12345', level: null, ticketId, hotlineClientId: client.id, category: 'COMPLAINT' }),
    );
    failFirst = 1_000; // the hotline is down: every attempt is refused
    await act(opened.id, 'accept', operator).expect(200);
    await act(opened.id, 'respond', operator, { contactedAt: new Date().toISOString(), method: 'PHONE', note: '已联系' }).expect(200);
    await act(opened.id, 'rectify', operator, {
      outcome: 'EXPLAINED',
      measures: '系统限制，已向市民说明',
      problemCategory: 'SYSTEM_ONLINE',
    }).expect(200);
    await act(opened.id, 'feedback', operator, { reviewerSatisfied: true, note: '市民认可' }).expect(200);
    const attempted = () => received.filter((r) => r.body.includes(opened.id));
    await eventually(
      async () => attempted().length,
      (n) => n >= 1,
    );

    await app.close(); // the service goes down with the reply undelivered
    failFirst = 0; // the hotline comes back
    app = await startTestService(RectificationModule, RECTIFICATION_APP);

    const path = `/api/v1/hotline/tickets/${ticketId}`;
    const after = (
      await eventually(
        () =>
          http()
            .get(path)
            .set(clientHeaders(client, 'GET', path, '')),
        (r) => (r.body as { replyDelivery?: { status: string } }).replyDelivery?.status === 'DELIVERED',
        20_000,
      )
    ).body;
    expect(after).toMatchObject({ status: 'CLOSED', outcome: 'EXPLAINED', reply: '系统限制，已向市民说明' });
    const deliveries = attempted();
    expect(deliveries.length).toBeGreaterThanOrEqual(2);
    expect(new Set(deliveries.map((r) => r.body)).size).toBe(1);
    expect(new Set(deliveries.map((r) => r.headers['x-reply-id']))).toEqual(new Set([after.replyId]));
    const rows = await sql<{ n: string }>(db.url, `SELECT count(*) AS n FROM rectification.hotline_callbacks WHERE case_id = $1`, [
      opened.id,
    ]);
    expect(rows[0]!.n).toBe('1');
  });
});
