import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';
import { INTAKE_APP, IntakeModule } from '../../apps/intake/src/intake.module.js';
import { signedHeaders } from '#libs/auth';
import {
  applyTestEnv,
  bearer,
  type Credential,
  createTestDatabase,
  deviceHeaders,
  eventually,
  registerDevice,
  startTestService,
  type TestDatabase,
} from '#libs/testing';

/** A second intake on the embedded bus serves HTTP only: the bus takes one consumer per service (replicas consume on Kafka). */
const HTTP_ONLY_REPLICA = { ...INTAKE_APP, consumesEvents: false } as const;

interface StreamEvent {
  event: string;
  data: unknown;
  id?: string;
}

/** Opens a device's signed prompt stream and collects its server-sent events until `close()`. */
async function openPromptStream(baseUrl: string, device: Credential, lastEventId?: string) {
  const path = '/api/v1/pad/prompts/stream';
  const controller = new AbortController();
  const headers = signedHeaders('X-Device-Id', device.id, device.secret, 'GET', path, '');
  delete headers['Content-Type'];
  if (lastEventId) headers['Last-Event-ID'] = lastEventId;
  const response = await fetch(`${baseUrl}${path}`, { headers, signal: controller.signal });
  const events: StreamEvent[] = [];
  const done = (async () => {
    if (!response.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
          const data = /^data: (.*)$/m.exec(block)?.[1];
          const id = /^id: (.*)$/m.exec(block)?.[1];
          if (data !== undefined) events.push({ event, data: JSON.parse(data), ...(id ? { id } : {}) });
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  return {
    finished: done,
    status: response.status,
    contentType: response.headers.get('content-type'),
    events,
    prompts: () => events.filter((e) => e.event === 'prompt').map((e) => e.data as Record<string, unknown>),
    async close() {
      controller.abort();
      await done;
    },
  };
}

describe('intake: PAD pairing codes, rating prompts and heartbeats', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let pg: Client;
  let baseUrl: string;
  const admin = bearer('admin');
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    db = await createTestDatabase('intake_pad');
    applyTestEnv(db.url);
    app = await startTestService(IntakeModule, INTAKE_APP);
    baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });

  afterAll(async () => {
    await pg?.end();
    await app?.close();
    await db?.drop();
  });

  const heartbeat = (device: Credential, body: object = { queueLength: 0, appVersion: 'test' }) => {
    const raw = JSON.stringify(body);
    return http()
      .post('/api/v1/pad/heartbeat')
      .set(deviceHeaders(device, 'POST', '/api/v1/pad/heartbeat', raw))
      .send(raw);
  };
  const issueCode = async (deviceId: string) =>
    (await http().post(`/api/v1/devices/${deviceId}/pairing-codes`).set('Authorization', admin).expect(201)).body as {
      code: string;
      expiresAt: string;
    };
  const exchange = (code: string) => http().post('/api/v1/pairing/exchange').send({ code });

  describe('pairing', () => {
    it('exchanges a one-time code for new credentials that sign requests; the registration secret stops working', async () => {
      const registered = await registerDevice(app.getHttpServer(), { code: 'PAIR-01', name: '区政务服务中心' }, 'A01');
      const before = Date.now();
      const issued = await issueCode(registered.id);
      expect(issued.code).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$/);
      const ttl = Date.parse(issued.expiresAt) - before;
      expect(ttl).toBeGreaterThan(14.9 * 60_000);
      expect(ttl).toBeLessThanOrEqual(15 * 60_000 + 5_000);
      // Only a hash of the code is stored.
      const stored = await pg.query(`SELECT * FROM intake.device_pairing_codes WHERE device_id = $1`, [registered.id]);
      expect(stored.rows).toHaveLength(1);
      expect(JSON.stringify(stored.rows)).not.toContain(issued.code);

      const typed = `${issued.code.slice(0, 4).toLowerCase()}-${issued.code.slice(4)}`;
      const paired = await exchange(typed).expect(200);
      expect(paired.body).toEqual({
        deviceId: registered.id,
        secret: expect.any(String),
        unitCode: 'PAIR-01',
        unitName: '区政务服务中心',
        windowNo: 'A01',
        label: null,
      });
      expect(paired.body.secret).not.toBe(registered.secret);
      const fresh = { id: registered.id, secret: paired.body.secret as string };
      const beat = await heartbeat(fresh, { queueLength: 3, rejectedCount: 1, appVersion: '1.2.3' }).expect(200);
      expect(beat.body).toEqual({
        serverTime: expect.any(String),
        nextHeartbeatInMs: 30_000,
        device: { deviceId: registered.id, unitCode: 'PAIR-01', unitName: '区政务服务中心', windowNo: 'A01', label: null },
      });
      expect((await heartbeat(registered).expect(401)).body.code).toBe('SIGNATURE_INVALID');

      const [device] = (await http().get('/api/v1/devices?unitCode=PAIR-01').set('Authorization', admin).expect(200)).body;
      expect(device).toMatchObject({
        deviceId: registered.id,
        pairedAt: expect.any(String),
        lastSeenAt: expect.any(String),
        online: true,
        queueLength: 3,
        rejectedCount: 1,
        appVersion: '1.2.3',
      });
      expect(Math.abs(Date.parse(device.lastSeenAt as string) - Date.now())).toBeLessThan(10_000);
      expect(JSON.stringify(device)).not.toContain(fresh.secret);
    });

    it('refuses a code used twice, leaving the first pairing intact', async () => {
      const registered = await registerDevice(app.getHttpServer(), { code: 'PAIR-01' }, 'A02');
      const { code } = await issueCode(registered.id);
      const first = await exchange(code).expect(200);
      const again = await exchange(code).expect(410);
      expect(again.headers['content-type']).toContain('application/problem+json');
      expect(again.body).toMatchObject({ status: 410, code: 'PAIRING_CODE_USED' });
      expect(JSON.stringify(again.body)).not.toContain(first.body.secret);
      await heartbeat({ id: registered.id, secret: first.body.secret }).expect(200);
    });

    it('refuses an expired code and a code superseded by a newer one', async () => {
      const registered = await registerDevice(app.getHttpServer(), { code: 'PAIR-01' }, 'A03');
      const old = await issueCode(registered.id);
      await pg.query(`UPDATE intake.device_pairing_codes SET expires_at = now() - interval '1 second' WHERE device_id = $1`, [
        registered.id,
      ]);
      expect((await exchange(old.code).expect(410)).body.code).toBe('PAIRING_CODE_EXPIRED');
      const second = await issueCode(registered.id);
      const third = await issueCode(registered.id);
      expect((await exchange(second.code).expect(410)).body.code).toBe('PAIRING_CODE_EXPIRED');
      await exchange(third.code).expect(200);
      // Nothing was rotated by the refused exchanges: the registration secret stopped working only at the successful one.
      expect(
        (
          await pg.query(`SELECT count(*)::int AS n FROM intake.device_pairing_codes WHERE used_at IS NOT NULL AND device_id = $1`, [
            registered.id,
          ])
        ).rows[0].n,
      ).toBe(1);
    });

    it("refuses a revoked device's code with DEVICE_REVOKED, and issues none for it", async () => {
      const registered = await registerDevice(app.getHttpServer(), { code: 'PAIR-01' }, 'A04');
      const { code } = await issueCode(registered.id);
      await http().post(`/api/v1/devices/${registered.id}/revoke`).set('Authorization', admin).expect(200);
      const refused = await exchange(code).expect(401);
      expect(refused.body).toMatchObject({ code: 'DEVICE_REVOKED', status: 401 });
      expect(refused.body.secret).toBeUndefined();
      expect(
        (await pg.query(`SELECT used_at FROM intake.device_pairing_codes WHERE device_id = $1`, [registered.id])).rows[0].used_at,
      ).toBeNull();
      expect((await http().post(`/api/v1/devices/${registered.id}/pairing-codes`).set('Authorization', admin).expect(409)).body.code).toBe(
        'CONFLICT',
      );
      expect((await heartbeat(registered).expect(401)).body.code).toBe('DEVICE_REVOKED');
    });

    it('names a malformed code, 404s an unknown one, and lets only admins issue codes', async () => {
      const bad = await exchange('12').expect(400);
      expect(bad.body.errors).toEqual([{ field: 'code', message: expect.any(String) }]);
      const missing = await http().post('/api/v1/pairing/exchange').send({ extra: 1 }).expect(400);
      expect(missing.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['code', 'extra']);
      expect((await exchange('ZZZZ-ZZZZ').expect(404)).body.code).toBe('PAIRING_CODE_INVALID');
      const registered = await registerDevice(app.getHttpServer(), { code: 'PAIR-01' }, 'A05');
      for (const token of [bearer('supervisor'), bearer('unit_operator', 'PAIR-01')]) {
        await http().post(`/api/v1/devices/${registered.id}/pairing-codes`).set('Authorization', token).expect(403);
      }
      await http().post(`/api/v1/devices/${registered.id}/pairing-codes`).expect(401);
      await http().post(`/api/v1/devices/00000000-0000-4000-8000-000000000000/pairing-codes`).set('Authorization', admin).expect(404);
    });
  });

  describe('prompts', () => {
    let padA: Credential;
    let terminalA: Credential;
    let padB: Credential;
    const prompt = { serviceRecordId: 'SR-PROMPT-1', serviceItemCode: '310105-XK-0001', serviceItemName: '食品经营许可', staffId: 'E1024' };
    const postPrompt = (deviceId: string) => http().post(`/api/v1/devices/${deviceId}/prompts`);

    beforeAll(async () => {
      padA = await registerDevice(app.getHttpServer(), { code: 'PROMPT-A' }, 'W1');
      terminalA = await registerDevice(app.getHttpServer(), { code: 'PROMPT-A' }, 'W1-TERMINAL');
      padB = await registerDevice(app.getHttpServer(), { code: 'PROMPT-B' }, 'W1');
    });

    it("reaches the device's open stream within a second, from its unit's operator", async () => {
      const stream = await openPromptStream(baseUrl, padA);
      try {
        expect(stream.status).toBe(200);
        expect(stream.contentType).toContain('text/event-stream');
        await eventually(
          async () => stream.events.map((e) => e.event),
          (events) => events.includes('ready'),
          5_000,
        );
        const sentAt = Date.now();
        const created = await postPrompt(padA.id).set('Authorization', bearer('unit_operator', 'PROMPT-A')).send(prompt).expect(201);
        expect(created.body).toEqual({
          id: expect.any(String),
          deviceId: padA.id,
          unitCode: 'PROMPT-A',
          ...prompt,
          createdAt: expect.any(String),
          expiresAt: expect.any(String),
        });
        const [received] = await eventually(
          async () => stream.prompts(),
          (p) => p.length === 1,
          1_000,
          10,
        );
        expect(Date.now() - sentAt).toBeLessThan(1_000);
        expect(received).toEqual(created.body);
      } finally {
        await stream.close();
      }
    });

    it('reaches it from a signed device of the same unit, and a new stream starts with the pending prompt until it is rated', async () => {
      const body = JSON.stringify({ ...prompt, serviceRecordId: 'SR-PROMPT-2', staffId: 'E2048' });
      const path = `/api/v1/devices/${padA.id}/prompts`;
      const created = await http()
        .post(path)
        .set(deviceHeaders(terminalA, 'POST', path, body))
        .send(body)
        .expect(201);
      const stream = await openPromptStream(baseUrl, padA);
      try {
        const [pending] = await eventually(
          async () => stream.prompts(),
          (p) => p.length === 1,
          5_000,
        );
        expect(pending).toMatchObject({ id: created.body.id, serviceRecordId: 'SR-PROMPT-2', staffId: 'E2048' });
      } finally {
        await stream.close();
      }
      const rating = JSON.stringify({
        serviceRecordId: 'SR-PROMPT-2',
        serviceItemCode: prompt.serviceItemCode,
        level: 5,
        ratedAt: new Date().toISOString(),
      });
      await http()
        .post('/api/v1/ratings')
        .set(deviceHeaders(padA, 'POST', '/api/v1/ratings', rating))
        .send(rating)
        .expect(201);
      const after = await openPromptStream(baseUrl, padA);
      try {
        await eventually(
          async () => after.events.map((e) => e.event),
          (events) => events.includes('ready'),
          5_000,
        );
        // The stream's first reads have settled once a prompt sent now arrives; the rated one is not among them.
        await postPrompt(padA.id)
          .set('Authorization', admin)
          .send({ ...prompt, serviceRecordId: 'SR-PROMPT-3' })
          .expect(201);
        const prompts = await eventually(
          async () => after.prompts(),
          (p) => p.some((x) => x.serviceRecordId === 'SR-PROMPT-3'),
          5_000,
        );
        expect(prompts.map((p) => p.serviceRecordId)).not.toContain('SR-PROMPT-2');
        // Nor the older SR-PROMPT-1, never rated but replaced by SR-PROMPT-2: its citizen has gone.
        expect(prompts.map((p) => p.serviceRecordId)).toEqual(['SR-PROMPT-3']);
      } finally {
        await after.close();
      }
    });

    it("refuses another unit's operator or device (403), a supervisor, no credentials, and names every bad field", async () => {
      const other = await postPrompt(padA.id).set('Authorization', bearer('unit_operator', 'PROMPT-B')).send(prompt).expect(403);
      expect(other.body.code).toBe('FORBIDDEN_UNIT');
      const body = JSON.stringify(prompt);
      const path = `/api/v1/devices/${padA.id}/prompts`;
      const otherDevice = await http()
        .post(path)
        .set(deviceHeaders(padB, 'POST', path, body))
        .send(body)
        .expect(403);
      expect(otherDevice.body.code).toBe('FORBIDDEN_UNIT');
      expect((await postPrompt(padA.id).set('Authorization', bearer('supervisor')).send(prompt).expect(403)).body.code).toBe('FORBIDDEN');
      await postPrompt(padA.id).send(prompt).expect(401);
      const forged = await http()
        .post(path)
        .set(deviceHeaders({ id: padA.id, secret: 'wrong' }, 'POST', path, body))
        .send(body)
        .expect(401);
      expect(forged.body.code).toBe('SIGNATURE_INVALID');
      const invalid = await postPrompt(padA.id)
        .set('Authorization', admin)
        .send({ serviceRecordId: '', serviceItemCode: 7, staffId: 'x'.repeat(65), unknown: true })
        .expect(400);
      expect(invalid.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
        'serviceItemCode',
        'serviceRecordId',
        'staffId',
        'unknown',
      ]);
      await postPrompt('00000000-0000-4000-8000-000000000000').set('Authorization', admin).send(prompt).expect(404);
      const stored = await pg.query(`SELECT service_record_id FROM intake.device_prompts WHERE device_id = $1 ORDER BY created_at`, [
        padA.id,
      ]);
      expect(stored.rows.map((r) => r.service_record_id)).toEqual(['SR-PROMPT-1', 'SR-PROMPT-2', 'SR-PROMPT-3']);
    });

    it("ends a revoked device's open stream at once, and refuses to open another", async () => {
      const pad = await registerDevice(app.getHttpServer(), { code: 'PROMPT-A' }, 'W9');
      const stream = await openPromptStream(baseUrl, pad);
      let ended = false;
      void stream.finished.then(() => (ended = true));
      await eventually(
        async () => stream.events.map((e) => e.event),
        (events) => events.includes('ready'),
        5_000,
      );
      await http().post(`/api/v1/devices/${pad.id}/revoke`).set('Authorization', admin).expect(200);
      await eventually(
        async () => ended,
        (e) => e,
        3_000,
      );
      const again = await openPromptStream(baseUrl, pad);
      expect(again.status).toBe(401);
      await again.close();
    });

    it('reaches a PAD streaming from another replica; a reconnect with Last-Event-ID is sent only what it missed', async () => {
      const pad = await registerDevice(app.getHttpServer(), { code: 'PROMPT-R' }, 'W1');
      const other = await startTestService(IntakeModule, HTTP_ONLY_REPLICA);
      try {
        const otherUrl = `http://127.0.0.1:${(other.getHttpServer().address() as { port: number }).port}`;
        const first = await openPromptStream(otherUrl, pad);
        await eventually(
          async () => first.events.map((e) => e.event),
          (events) => events.includes('ready'),
          5_000,
        );
        const posted = await postPrompt(pad.id)
          .set('Authorization', bearer('unit_operator', 'PROMPT-R'))
          .send({ ...prompt, serviceRecordId: 'SR-REPLICA-1' })
          .expect(201);
        const [arrived] = await eventually(
          async () => first.events.filter((e) => e.event === 'prompt'),
          (prompts) => prompts.length === 1,
          2_000,
        );
        expect(arrived).toEqual({ event: 'prompt', id: posted.body.id, data: posted.body });
        await first.close();

        // Reconnecting with the id it has: that prompt is not sent again; the next one is.
        const again = await openPromptStream(otherUrl, pad, posted.body.id as string);
        await eventually(
          async () => again.events.map((e) => e.event),
          (events) => events.includes('ready'),
          5_000,
        );
        const newer = await postPrompt(pad.id)
          .set('Authorization', admin)
          .send({ ...prompt, serviceRecordId: 'SR-REPLICA-2' })
          .expect(201);
        await eventually(
          async () => again.prompts(),
          (prompts) => prompts.length > 0,
          2_000,
        );
        expect(again.prompts()).toEqual([newer.body]);
        await again.close();

        // Disconnected while a newer prompt came: the reconnect gets that one, and only that one.
        const missed = await postPrompt(pad.id)
          .set('Authorization', admin)
          .send({ ...prompt, serviceRecordId: 'SR-REPLICA-3' })
          .expect(201);
        const third = await openPromptStream(otherUrl, pad, newer.body.id as string);
        await eventually(
          async () => third.prompts(),
          (prompts) => prompts.length > 0,
          2_000,
        );
        expect(third.prompts()).toEqual([missed.body]);
        await third.close();

        const bad = await openPromptStream(otherUrl, pad, 'not-an-id');
        expect(bad.status).toBe(400);
        await bad.close();
      } finally {
        await other.close();
      }
    });

    it('is documented in the OpenAPI spec', async () => {
      const spec = (await http().get('/docs-json').expect(200)).body;
      const create = spec.paths['/api/v1/devices/{deviceId}/prompts'].post;
      expect(create.summary).toContain('rating');
      expect(create.requestBody.content['application/json'].schema.$ref).toContain('CreatePromptDto');
      expect(create.responses['201'].content['application/json'].schema.$ref).toContain('PromptDto');
      expect(spec.paths['/api/v1/pad/prompts/stream'].get).toBeDefined();
      expect(spec.paths['/api/v1/pairing/exchange'].post).toBeDefined();
      expect(spec.paths['/api/v1/pad/heartbeat'].post).toBeDefined();
    });
  });
});
