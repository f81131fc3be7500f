import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import { INTAKE_APP, IntakeModule } from '../../apps/intake/src/intake.module.js';
import { signedHeaders } from '#libs/auth';
import {
  applyTestEnv,
  type Credential,
  createTestDatabase,
  eventually,
  registerDevice,
  startTestService,
  type TestDatabase,
} from '#libs/testing';

const PATH = '/api/v1/pad/prompts/stream';

/** Signed headers of a stream request at `timestamp` (ms), as a PAD — or someone who overheard one — sends them. */
function streamHeaders(device: Credential, timestamp: number): Record<string, string> {
  const headers = signedHeaders('X-Device-Id', device.id, device.secret, 'GET', PATH, '', timestamp);
  delete headers['Content-Type'];
  return headers;
}

interface Opened {
  status: number;
  headers: Headers;
  /** The first chunk of an event stream, or the whole problem body. */
  first: string;
  close(): Promise<void>;
}

/** Opens a prompt stream with the given headers; reads the first chunk (the `ready` event of an opened stream). */
async function openStream(baseUrl: string, headers: Record<string, string>): Promise<Opened> {
  const controller = new AbortController();
  const response = await fetch(`${baseUrl}${PATH}`, { headers, signal: controller.signal });
  const reader = response.body!.getReader();
  const chunk = await reader.read();
  const first = chunk.value ? new TextDecoder().decode(chunk.value) : '';
  return {
    status: response.status,
    headers: response.headers,
    first,
    async close() {
      controller.abort();
      await reader.cancel().catch(() => undefined);
    },
  };
}

/**
 * Hostile probes of the PADs' prompt streams: a device holds at most 3 at once (a 4th → 429
 * problem+json with Retry-After), and a signed stream request opens one stream only (the same
 * headers again → 401 SIGNATURE_REPLAYED) — on any replica, as both live in PostgreSQL.
 */
describe('hostile input: prompt streams are limited per device and cannot be replayed', () => {
  let db: TestDatabase;
  let replicas: INestApplication[] = [];
  let urls: string[] = [];
  let pg: Client;
  let device: Credential;
  let other: Credential;
  let clock = Date.now();
  /** A fresh, distinct timestamp for each signed request (two requests in one millisecond would share a signature). */
  const nextTimestamp = () => (clock = Math.max(clock + 1, Date.now()));
  const openStreamsOf = async (deviceId: string) =>
    Number(
      (await pg.query(`SELECT count(*) AS n FROM intake.pad_streams WHERE device_id = $1 AND closed_at IS NULL`, [deviceId])).rows[0].n,
    );

  beforeAll(async () => {
    db = await createTestDatabase('hostile_pad_streams');
    applyTestEnv(db.url);
    // Two replicas of intake on one database, as behind a load balancer.
    // The second replica serves HTTP only: the embedded bus takes one consumer per service (replicas consume on Kafka).
    replicas = [
      await startTestService(IntakeModule, INTAKE_APP),
      await startTestService(IntakeModule, { ...INTAKE_APP, consumesEvents: false }),
    ];
    urls = await Promise.all(replicas.map(async (app) => (await app.getUrl()).replace('[::1]', '127.0.0.1')));
    device = await registerDevice(replicas[0]!.getHttpServer(), { code: 'ST-01' }, 'A1');
    other = await registerDevice(replicas[0]!.getHttpServer(), { code: 'ST-01' }, 'A2');
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });

  afterAll(async () => {
    await pg?.end();
    await Promise.all(replicas.map((app) => app.close()));
    await db?.drop();
  });

  it('lets a device hold 3 streams across replicas and answers the 4th 429 with Retry-After', async () => {
    const held = [
      await openStream(urls[0]!, streamHeaders(device, nextTimestamp())),
      await openStream(urls[1]!, streamHeaders(device, nextTimestamp())),
      await openStream(urls[0]!, streamHeaders(device, nextTimestamp())),
    ];
    expect(held.map((s) => s.status)).toEqual([200, 200, 200]);
    for (const s of held) expect(s.first).toContain('event: ready');
    expect(await openStreamsOf(device.id)).toBe(3);

    for (const url of urls) {
      const fourth = await openStream(url, streamHeaders(device, nextTimestamp()));
      expect(fourth.status).toBe(429);
      expect(fourth.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(fourth.first)).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
      const retryAfter = Number(fourth.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
    }
    expect(await openStreamsOf(device.id)).toBe(3);

    // Another device of the same unit is not affected.
    const neighbour = await openStream(urls[1]!, streamHeaders(other, nextTimestamp()));
    expect(neighbour.status).toBe(200);
    await neighbour.close();

    // Closing one frees its slot (on whichever replica it was held).
    await held[1]!.close();
    await eventually(
      () => openStreamsOf(device.id),
      (n) => n === 2,
    );
    const again = await openStream(urls[0]!, streamHeaders(device, nextTimestamp()));
    expect(again.status).toBe(200);
    await Promise.all([...held, again].map((s) => s.close()));
    await eventually(
      () => openStreamsOf(device.id),
      (n) => n === 0,
    );
  });

  it('refuses a replayed stream request with 401 SIGNATURE_REPLAYED on every replica, open or closed', async () => {
    const headers = streamHeaders(device, nextTimestamp());
    const first = await openStream(urls[0]!, headers);
    expect(first.status).toBe(200);
    for (const url of urls) {
      const replay = await openStream(url, headers);
      expect(replay.status).toBe(401);
      expect(replay.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(replay.first)).toMatchObject({ status: 401, code: 'SIGNATURE_REPLAYED' });
    }
    await first.close();
    await eventually(
      () => openStreamsOf(device.id),
      (n) => n === 0,
    );
    const afterClose = await openStream(urls[1]!, headers);
    expect(afterClose.status).toBe(401);
    expect(JSON.parse(afterClose.first)).toMatchObject({ code: 'SIGNATURE_REPLAYED' });
    // A refused (429) request's signature is spent too: it cannot be tried again once a slot frees.
    const full = await Promise.all([1, 2, 3].map(() => openStream(urls[0]!, streamHeaders(device, nextTimestamp()))));
    const refusedHeaders = streamHeaders(device, nextTimestamp());
    expect((await openStream(urls[0]!, refusedHeaders)).status).toBe(429);
    await Promise.all(full.map((s) => s.close()));
    await eventually(
      () => openStreamsOf(device.id),
      (n) => n === 0,
    );
    expect((await openStream(urls[1]!, refusedHeaders)).status).toBe(401);
    // Each of those requests was signed correctly: the same device's fresh request still opens a stream.
    const fresh = await openStream(urls[1]!, streamHeaders(device, nextTimestamp()));
    expect(fresh.status).toBe(200);
    await fresh.close();
  });

  it('prunes remembered signatures once they have expired and their stream is over', async () => {
    const stale = randomUUID();
    const live = randomUUID();
    const past = new Date(Date.now() - 10 * 60_000);
    await pg.query(
      `INSERT INTO intake.pad_streams (id, device_id, signature, opened_at, ends_at, closed_at, replayable_until) VALUES
         ($1, $3, 'v1=stale', $4, $4, $4, $4),
         ($2, $3, 'v1=live', now(), now() + interval '1 minute', now(), now() + interval '5 minutes')`,
      [stale, live, other.id, past],
    );
    const s = await openStream(urls[0]!, streamHeaders(device, nextTimestamp()));
    expect(s.status).toBe(200);
    await s.close();
    const left = (await pg.query(`SELECT id FROM intake.pad_streams WHERE id = ANY($1)`, [[stale, live]])).rows.map((r) => r.id as string);
    expect(left).toEqual([live]);
  });
});
