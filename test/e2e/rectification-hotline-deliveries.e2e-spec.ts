import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { Topics } from '#libs/contracts';
import { applyTestEnv, bearer, createTestDatabase, eventually, startTestService, type TestDatabase } from '#libs/testing';
import { RECTIFICATION_APP, RectificationModule } from '../../apps/rectification/src/rectification.module.js';
import { hotlineClientEvent, publish, sql } from './rectification-fixtures.js';

interface Deliveries {
  clientId: string;
  name: string | null;
  callbackUrl: string | null;
  revoked: boolean;
  state: string;
  delivered: number;
  pending: number;
  failing: number;
  undeliverable: number;
  lastAttemptAt: string | null;
  lastDeliveredAt: string | null;
  nextAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
}

describe('rectification: GET /hotline/deliveries — each 12345 client’s callback URL and how its replies are delivered', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let receiver: Server;
  let base: string;
  const admin = bearer('admin');
  const clients = {
    ok: { id: randomUUID(), name: 'A 区12345热线', secret: 'secret-of-the-working-hotline-0123456789ab' },
    failing: { id: randomUUID(), name: 'B 市12345热线', secret: 'secret-of-the-failing-hotline-0123456789ab' },
    noCallback: { id: randomUUID(), name: 'C 无回调热线', secret: 'secret-of-the-silent-hotline-0123456789abc' },
    idle: { id: randomUUID(), name: 'D 尚无答复热线', secret: 'secret-of-the-idle-hotline-0123456789abcdef' },
  };
  const unregistered = randomUUID();
  const tickets: string[] = [];
  const http = () => request(app.getHttpServer());
  const list = async () =>
    (await http().get('/api/v1/hotline/deliveries').set('Authorization', admin).expect(200)).body as { items: Deliveries[] };
  const of = (items: Deliveries[], id: string) => items.find((i) => i.clientId === id)!;

  /** A reply in the outbox, as the transaction that closes a hotline case writes it. */
  async function reply(clientId: string): Promise<string> {
    const id = randomUUID();
    const ticketId = `12345-${id.slice(0, 8)}`;
    tickets.push(ticketId);
    await sql(db.url, `INSERT INTO rectification.hotline_callbacks (id, case_id, ticket_id, client_id, body) VALUES ($1, $2, $3, $4, $5)`, [
      id,
      randomUUID(),
      ticketId,
      clientId,
      JSON.stringify({ ticketId, reply: '已增开窗口，答复市民张三 13800138000' }),
    ]);
    return id;
  }

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(req.url === '/ok' ? 204 : 503).end());
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    db = await createTestDatabase('rect_deliveries');
    applyTestEnv(db.url);
    app = await startTestService(RectificationModule, RECTIFICATION_APP);
    const callbackUrls = { ok: `${base}/ok`, failing: `${base}/down`, noCallback: null, idle: `${base}/ok` };
    for (const [key, c] of Object.entries(clients)) {
      await publish(
        app,
        Topics.HotlineClients,
        'hotline',
        hotlineClientEvent({
          clientId: c.id,
          name: c.name,
          callbackUrl: callbackUrls[key as keyof typeof clients],
          secret: c.secret,
          revoked: false,
        }),
      );
    }
    await eventually(
      async () => (await sql<{ n: number }>(db.url, `SELECT count(*)::int AS n FROM rectification.hotline_clients`))[0].n,
      (n) => n === 4,
    );
  });

  afterAll(async () => {
    await app?.close();
    await new Promise((resolve) => receiver?.close(resolve));
    await db?.drop();
  });

  it('is for admins only', async () => {
    await http().get('/api/v1/hotline/deliveries').expect(401);
    expect((await http().get('/api/v1/hotline/deliveries').set('Authorization', bearer('supervisor')).expect(403)).body.code).toBe(
      'FORBIDDEN',
    );
    await http().get('/api/v1/hotline/deliveries').set('Authorization', bearer('unit_operator', 'CN-01')).expect(403);
  });

  it('lists every known client with no replies yet as NONE, with its callback URL', async () => {
    const { items } = await list();
    expect(items.map((i) => i.name)).toEqual([clients.ok.name, clients.failing.name, clients.noCallback.name, clients.idle.name]);
    expect(of(items, clients.idle.id)).toEqual({
      clientId: clients.idle.id,
      name: clients.idle.name,
      callbackUrl: `${base}/ok`,
      revoked: false,
      state: 'NONE',
      delivered: 0,
      pending: 0,
      failing: 0,
      undeliverable: 0,
      lastAttemptAt: null,
      lastDeliveredAt: null,
      nextAttemptAt: null,
      lastStatus: null,
      lastError: null,
    });
    expect(of(items, clients.noCallback.id).callbackUrl).toBeNull();
  });

  it('counts delivered, failing and undeliverable replies from what the dispatcher records, with the last attempt and error', async () => {
    const started = Date.now();
    await reply(clients.ok.id);
    await reply(clients.ok.id);
    const down = await reply(clients.failing.id);
    await reply(clients.noCallback.id);
    await reply(unregistered); // its client's registration has not arrived: retried

    const { items } = await eventually(list, ({ items }) => {
      const ok = of(items, clients.ok.id);
      const failing = of(items, clients.failing.id);
      const early = items.find((i) => i.clientId === unregistered);
      return ok.delivered === 2 && failing.failing === 1 && of(items, clients.noCallback.id).undeliverable === 1 && early?.failing === 1;
    });

    const ok = of(items, clients.ok.id);
    expect(ok).toMatchObject({
      state: 'DELIVERED',
      delivered: 2,
      pending: 0,
      failing: 0,
      undeliverable: 0,
      lastError: null,
      lastStatus: null,
    });
    expect(ok.nextAttemptAt).toBeNull();
    expect(Date.parse(ok.lastAttemptAt!)).toBeGreaterThanOrEqual(started - 1000);
    expect(Date.parse(ok.lastDeliveredAt!)).toBeGreaterThanOrEqual(Date.parse(ok.lastAttemptAt!) - 1000);

    const failing = of(items, clients.failing.id);
    expect(failing).toMatchObject({
      name: clients.failing.name,
      callbackUrl: `${base}/down`,
      state: 'FAILING',
      delivered: 0,
      failing: 1,
      lastStatus: 503,
      lastError: 'HTTP 503',
      lastDeliveredAt: null,
    });
    expect(Date.parse(failing.lastAttemptAt!)).toBeGreaterThanOrEqual(started - 1000);
    expect(Date.parse(failing.nextAttemptAt!)).toBeGreaterThan(Date.parse(failing.lastAttemptAt!));
    const [row] = await sql<{ attempts: number; last_attempt_at: Date }>(
      db.url,
      `SELECT attempts, last_attempt_at FROM rectification.hotline_callbacks WHERE id = $1`,
      [down],
    );
    expect(row.attempts).toBeGreaterThanOrEqual(1);
    expect(row.last_attempt_at.toISOString()).toBe(failing.lastAttemptAt);

    expect(of(items, clients.noCallback.id)).toMatchObject({ state: 'NONE', undeliverable: 1, delivered: 0, failing: 0, pending: 0 });
    expect(items.find((i) => i.clientId === unregistered)).toMatchObject({
      name: null,
      callbackUrl: null,
      state: 'FAILING',
      failing: 1,
      lastError: 'hotline client not known yet',
    });
    expect(items.at(-1)!.clientId).toBe(unregistered); // unnamed last

    // Counts and times only: nothing of the replies themselves.
    const text = JSON.stringify(items);
    for (const ticket of tickets) expect(text).not.toContain(ticket);
    expect(text).not.toContain('13800138000');
    expect(text).not.toContain('张三');
  });

  it('shows a reply waiting for its first attempt as PENDING', async () => {
    await sql(
      db.url,
      `INSERT INTO rectification.hotline_callbacks (id, case_id, ticket_id, client_id, body, next_attempt_at)
       VALUES ($1, $2, '12345-later', $3, '{}', now() + interval '1 hour')`,
      [randomUUID(), randomUUID(), clients.idle.id],
    );
    const idle = of((await list()).items, clients.idle.id);
    expect(idle).toMatchObject({ state: 'PENDING', pending: 1, delivered: 0, failing: 0, lastAttemptAt: null });
    expect(Date.parse(idle.nextAttemptAt!)).toBeGreaterThan(Date.now() + 50 * 60_000);
  });
});
