import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { signRequest } from '#libs/auth';
import {
  applyTestEnv,
  bearer,
  clientHeaders,
  createTestDatabase,
  deviceHeaders,
  eventually,
  startTestService,
  type TestDatabase,
} from '#libs/testing';
import { INTAKE_APP, IntakeModule } from '../../apps/intake/src/intake.module.js';
import { RECTIFICATION_APP, RectificationModule } from '../../apps/rectification/src/rectification.module.js';

const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}
interface CaseItem {
  id: string;
  reviewId: string;
  source: string;
  status: string;
  ticketId: string | null;
}

describe('over real Kafka: a bad rating and a 12345 complaint become cases; closing the complaint calls the hotline back', () => {
  let db: TestDatabase;
  let intake: INestApplication;
  let rectification: INestApplication;
  let receiver: Server;
  let callbackUrl: string;
  const received: Received[] = [];
  const unitCode = `RH-${randomUUID().slice(0, 8)}`;
  const admin = bearer('admin');
  const supervisor = bearer('supervisor');
  const operator = bearer('unit_operator', unitCode, { sub: 'op-int' });

  const cases = async () =>
    (
      await request(rectification.getHttpServer())
        .get(`/api/v1/cases?unitCode=${unitCode}&pageSize=200`)
        .set('Authorization', supervisor)
        .expect(200)
    ).body as { total: number; items: CaseItem[] };
  const act = (id: string, action: string, body: object = {}) =>
    request(rectification.getHttpServer()).post(`/api/v1/cases/${id}/${action}`).set('Authorization', operator).send(body).expect(200);

  beforeAll(async () => {
    if (brokers.length === 0) throw new Error('KAFKA_BROKERS is not set: integration tests need the real broker (scripts/kafka.sh start).');
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    callbackUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/callbacks/12345`;
    db = await createTestDatabase('rect_kafka');
    applyTestEnv(db.url, { kafka: true });
    [intake, rectification] = await Promise.all([
      startTestService(IntakeModule, INTAKE_APP),
      startTestService(RectificationModule, RECTIFICATION_APP),
    ]);
  });

  afterAll(async () => {
    await Promise.all([intake?.close(), rectification?.close()]);
    await new Promise((resolve) => receiver?.close(resolve));
    await db?.drop();
  });

  it('carries both sources to cases and delivers one signed reply when the hotline case closes', async () => {
    await request(intake.getHttpServer())
      .post('/api/v1/units')
      .set('Authorization', admin)
      .send({ code: unitCode, name: '集成测试单位' })
      .expect(201);
    const dev = (
      await request(intake.getHttpServer())
        .post('/api/v1/devices')
        .set('Authorization', admin)
        .send({ unitCode, windowNo: 'A01' })
        .expect(201)
    ).body as { deviceId: string; secret: string };
    const hotline = (
      await request(intake.getHttpServer())
        .post('/api/v1/hotline-clients')
        .set('Authorization', admin)
        .send({ name: '12345热线', callbackUrl })
        .expect(201)
    ).body as { clientId: string; secret: string };
    const client = { id: hotline.clientId, secret: hotline.secret };

    // A bad PAD rating.
    const rating = JSON.stringify({
      serviceRecordId: `${unitCode}-1`,
      serviceItemCode: '310105-XK-0001',
      level: 1,
      tags: ['ATTITUDE'],
      reviewer: { name: '张三', phone: '13800138000' },
      ratedAt: new Date().toISOString(),
    });
    const rated = (
      await request(intake.getHttpServer())
        .post('/api/v1/ratings')
        .set(deviceHeaders({ id: dev.deviceId, secret: dev.secret }, 'POST', '/api/v1/ratings', rating))
        .send(rating)
        .expect(201)
    ).body as { id: string };

    // A 12345 complaint.
    const ticketId = `12345-${Date.now()}`;
    const complaint = JSON.stringify({
      ticketId,
      unitCode,
      category: 'COMPLAINT',
      content: '窗口办理营业执照变更时工作人员态度差',
      serviceItemCode: '310105-XK-0001',
      citizen: { name: '李四', phone: '13900139000' },
      receivedAt: new Date(Date.now() - 3_600_000).toISOString(),
      transferredAt: new Date(Date.now() - 60_000).toISOString(),
      dueAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    });
    await request(intake.getHttpServer())
      .post('/api/v1/hotline/complaints')
      .set(clientHeaders(client, 'POST', '/api/v1/hotline/complaints', complaint))
      .send(complaint)
      .expect(201);

    const page = await eventually(cases, (p) => p.total === 2, 30_000);
    expect(page.items.find((c) => c.reviewId === rated.id)).toMatchObject({ source: 'BAD_REVIEW', status: 'PENDING' });
    const hotlineCase = page.items.find((c) => c.source === 'HOTLINE')!;
    expect(hotlineCase).toMatchObject({ ticketId, status: 'PENDING' });

    // The hotline client's copy arrives over registry.hotline-clients: it can query its ticket.
    const path = `/api/v1/hotline/tickets/${ticketId}`;
    const ticket = await eventually(
      () =>
        request(rectification.getHttpServer())
          .get(path)
          .set(clientHeaders(client, 'GET', path, '')),
      (r) => r.status === 200,
      30_000,
    );
    expect(ticket.body).toMatchObject({ ticketId, caseId: hotlineCase.id, status: 'PENDING', reply: null });

    await act(hotlineCase.id, 'accept');
    await act(hotlineCase.id, 'respond', { contactedAt: new Date().toISOString(), method: 'PHONE', note: '已回访' });
    await act(hotlineCase.id, 'rectify', {
      outcome: 'RECTIFIED',
      measures: '已约谈窗口人员并整改服务规范',
      problemCategory: 'ATTITUDE_RUDE',
    });
    await act(hotlineCase.id, 'feedback', { reviewerSatisfied: true, note: '市民满意' });

    const delivered = await eventually(
      async () => received.filter((r) => r.headers['x-client-id'] === client.id),
      (list) => list.length >= 1,
      30_000,
    );
    expect(delivered).toHaveLength(1);
    const reply = delivered[0]!;
    expect(reply.path).toBe('/callbacks/12345');
    expect(reply.headers['x-signature']).toBe(
      signRequest(client.secret, 'POST', reply.path, String(reply.headers['x-timestamp']), reply.body),
    );
    expect(Math.abs(Date.now() - Number(reply.headers['x-timestamp']))).toBeLessThan(300_000);
    expect(JSON.parse(reply.body)).toMatchObject({
      replyId: reply.headers['x-reply-id'],
      ticketId,
      caseId: hotlineCase.id,
      status: 'CLOSED',
      outcome: 'RECTIFIED',
      reply: '已约谈窗口人员并整改服务规范',
    });
    const closed = await eventually(
      () =>
        request(rectification.getHttpServer())
          .get(path)
          .set(clientHeaders(client, 'GET', path, ''))
          .expect(200),
      (r) => (r.body as { replyDelivery: { status: string } | null }).replyDelivery?.status === 'DELIVERED',
    );
    expect(closed.body).toMatchObject({ status: 'CLOSED', replyId: reply.headers['x-reply-id'], closedAt: expect.any(String) });
  });
});
