import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { INTAKE_SCHEMA } from '../../apps/intake/src/data-source.js';
import { INTAKE_APP, IntakeModule } from '../../apps/intake/src/intake.module.js';
import {
  ARRIVAL_BURST_MAX_RATINGS,
  ARRIVAL_BURST_REASON,
  ARRIVAL_BURST_WINDOW_SECONDS,
  BURST_MAX_RATINGS,
  BURST_REASON,
  burstMembers,
  suspectReasons,
} from '../../apps/intake/src/ratings/rating-rules.js';
import { type PreparedRating, RatingsRepository } from '../../apps/intake/src/ratings/ratings.repository.js';
import { migrateServiceSchema, serviceDataSourceOptions } from '#libs/database';
import { OutboxService } from '#libs/messaging';
import {
  applyTestEnv,
  bearer,
  createTestDatabase,
  type Credential,
  deviceHeaders,
  startTestService,
  type TestDatabase,
} from '#libs/testing';

/** mulberry32: a small seeded generator, so a failure replays exactly (the seed is in the test name). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('intake: 刷评 on claimed ratedAt and on arrival — write_pad_ratings agrees with the TypeScript rules', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let sql: Client;
  let repository: RatingsRepository;

  const T0 = Date.UTC(2026, 10, 20, 2);
  let seq = 0;
  const prepared = (deviceId: string, ratedAtMs: number, receivedAtMs: number, live: boolean): PreparedRating => {
    seq += 1;
    return {
      id: randomUUID(),
      unitCode: 'CN-01',
      unitName: '区市场监督管理局',
      channel: 'PAD',
      stage: 'COMPLETION',
      deviceId,
      platformClientId: null,
      burstKey: deviceId,
      windowNo: 'A01',
      serviceRecordId: `BR-${seq}`,
      serviceItemCode: 'X-1',
      serviceItemName: null,
      staffId: null,
      level: 5,
      grade: 'GOOD',
      tags: [],
      comment: null,
      contact: { maskedName: null, maskedPhone: null, sealed: null },
      ratedAt: new Date(T0 + ratedAtMs),
      receivedAt: new Date(T0 + receivedAtMs),
      bodyHash: `h-${seq}`,
      live,
    };
  };

  beforeAll(async () => {
    db = await createTestDatabase('intake_burst_rules');
    dataSource = await new DataSource(serviceDataSourceOptions(INTAKE_SCHEMA, db.url, 4)).initialize();
    await migrateServiceSchema(dataSource, INTAKE_SCHEMA.schema);
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    repository = new RatingsRepository(dataSource, new OutboxService());
  });

  afterAll(async () => {
    await sql?.end();
    await dataSource?.destroy();
    await db?.drop();
  });

  for (const seed of [1, 7, 42, 2024, 31337]) {
    it(`flags exactly what suspectReasons() flags, for random live and offline traffic written in random groups (seed ${seed})`, async () => {
      const random = seeded(seed);
      const devices = [randomUUID(), randomUUID(), randomUUID()];
      const all: PreparedRating[] = [];
      // Live ratings arrive over ~2 minutes with random gaps (sometimes bursts); each claims a ratedAt near its arrival,
      // or far spaced (the walk-around); offline batches arrive at one instant with ratedAt of an earlier day.
      for (const deviceId of devices) {
        let arrival = 0;
        for (let i = 0; i < 40; i++) {
          arrival += Math.floor(random() * (random() < 0.3 ? 600 : 6000));
          const spaced = random() < 0.5;
          const ratedAt = spaced ? i * 11_000 : arrival - Math.floor(random() * 2000);
          all.push(prepared(deviceId, ratedAt, arrival, true));
        }
        const batchArrival = arrival + 1000;
        let rated = -86_400_000;
        for (let i = 0; i < 25; i++) {
          rated += Math.floor(random() * 4000);
          all.push(prepared(deviceId, rated, batchArrival, false));
        }
      }
      // Written in arrival order, in random-size groups (as the group commit would coalesce them).
      const order = [...all].sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
      for (let i = 0; i < order.length;) {
        const size = 1 + Math.floor(random() * 12);
        await repository.writeGroup(order.slice(i, i + size));
        i += size;
      }

      const rows = (
        await sql.query<{ id: string; suspect: boolean; suspect_reason: string | null }>(
          `SELECT id, suspect, suspect_reason FROM intake.reviews WHERE id = ANY($1::uuid[])`,
          [all.map((r) => r.id)],
        )
      ).rows;
      const byId = new Map(rows.map((r) => [r.id, r]));
      let flagged = 0;
      for (const deviceId of devices) {
        const mine = all.filter((r) => r.deviceId === deviceId);
        const input = mine.map((r) => ({ ratedAtMs: r.ratedAt.getTime(), receivedAtMs: r.receivedAt.getTime(), live: r.live }));
        const expected = suspectReasons(input);
        const byRatedAt = burstMembers(input.map((r) => r.ratedAtMs));
        const live = input.map((r, i) => ({ r, i })).filter((x) => x.r.live);
        const byArrival = new Set(
          [
            ...burstMembers(
              live.map((x) => x.r.receivedAtMs),
              ARRIVAL_BURST_WINDOW_SECONDS,
              ARRIVAL_BURST_MAX_RATINGS,
            ),
          ].map((k) => live[k]!.i),
        );
        mine.forEach((r, i) => {
          const row = byId.get(r.id)!;
          expect([r.serviceRecordId, row.suspect]).toEqual([r.serviceRecordId, expected.has(i)]);
          if (!row.suspect) return;
          flagged++;
          // Flagged first by one rule, a rating keeps that reason; either way the reason names a rule that applies.
          const applicable = [...(byRatedAt.has(i) ? [BURST_REASON] : []), ...(byArrival.has(i) ? [ARRIVAL_BURST_REASON] : [])];
          expect(applicable).toContain(row.suspect_reason);
        });
      }
      expect(flagged).toBeGreaterThan(0);
    });
  }

  // Each rule alone, against burstMembers itself: gaps drawn around the window's edge (exactly 10 s apart counts as within),
  // ties, and groups written in shuffled order, so that ratings are flagged retroactively as often as on arrival.
  const storedSuspects = async (ids: string[]) =>
    new Map(
      (
        await sql.query<{ id: string; suspect: boolean }>(`SELECT id, suspect FROM intake.reviews WHERE id = ANY($1::uuid[])`, [ids])
      ).rows.map((r) => [r.id, r.suspect]),
    );
  const edgeGap = (random: () => number, windowMs: number) => {
    const pick = random();
    if (pick < 0.15) return 0; // a tie
    if (pick < 0.35) return Math.round(windowMs / BURST_MAX_RATINGS); // six of these span exactly the window
    if (pick < 0.5) return Math.round(windowMs / BURST_MAX_RATINGS) + 1; // … or just over it
    return Math.floor(random() * windowMs);
  };
  const shuffled = <T>(random: () => number, items: T[]): T[] => {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  };
  const writeShuffled = async (random: () => number, ratings: PreparedRating[]) => {
    const order = shuffled(random, ratings);
    for (let i = 0; i < order.length;) {
      const size = 1 + Math.floor(random() * 8);
      await repository.writeGroup(order.slice(i, i + size));
      i += size;
    }
  };

  for (const seed of [3, 99, 4711]) {
    it(`the ratedAt rule: offline ratings are flagged exactly as burstMembers() says, whatever order they are written in (seed ${seed})`, async () => {
      const random = seeded(seed);
      const deviceId = randomUUID();
      let rated = -172_800_000;
      const ratings = Array.from({ length: 80 }, () => {
        rated += edgeGap(random, 10_000);
        return prepared(deviceId, rated, 0, false);
      });
      await writeShuffled(random, ratings);

      const expected = burstMembers(ratings.map((r) => r.ratedAt.getTime()));
      const suspect = await storedSuspects(ratings.map((r) => r.id));
      expect(ratings.map((r) => suspect.get(r.id))).toEqual(ratings.map((_, i) => expected.has(i)));
      expect(expected.size).toBeGreaterThan(0);
      expect(expected.size).toBeLessThan(ratings.length);
    });

    it(`the arrival rule: live ratings claiming spaced ratedAt are flagged exactly as burstMembers() over arrival says (seed ${seed})`, async () => {
      const random = seeded(seed);
      const deviceId = randomUUID();
      const windowMs = ARRIVAL_BURST_WINDOW_SECONDS * 1000;
      let arrival = 500_000_000;
      const ratings = Array.from({ length: 80 }, (_, i) => {
        arrival += edgeGap(random, windowMs);
        return prepared(deviceId, 1_000_000_000 + i * 11_000, arrival, true);
      });
      await writeShuffled(random, ratings);

      const expected = burstMembers(
        ratings.map((r) => r.receivedAt.getTime()),
        ARRIVAL_BURST_WINDOW_SECONDS,
        ARRIVAL_BURST_MAX_RATINGS,
      );
      const suspect = await storedSuspects(ratings.map((r) => r.id));
      expect(ratings.map((r) => suspect.get(r.id))).toEqual(ratings.map((_, i) => expected.has(i)));
      expect(expected.size).toBeGreaterThan(0);
      expect(expected.size).toBeLessThan(ratings.length);
    });
  }

  it('sends each flag with its own reason: in the submitted event of a new rating and the suspect-changed event of an earlier one', async () => {
    const deviceId = randomUUID();
    const ratings = Array.from({ length: ARRIVAL_BURST_MAX_RATINGS + 1 }, (_, i) =>
      prepared(deviceId, 100_000_000 + i * 11_000, 100_000_000 + i * ((ARRIVAL_BURST_WINDOW_SECONDS * 1000) / 10), true),
    );
    const before = Number((await sql.query(`SELECT coalesce(max(id), 0) AS id FROM intake.outbox`)).rows[0].id);
    for (const r of ratings) await repository.writeGroup([r]);
    const events = (
      await sql.query<{ payload: { type: string; data: Record<string, unknown> } }>(
        `SELECT payload FROM intake.outbox WHERE id > $1 ORDER BY id`,
        [before],
      )
    ).rows.map((r) => r.payload);
    const last = events.filter((e) => e.type === 'gov.review.submitted').at(-1)!;
    expect(last.data).toMatchObject({ reviewId: ratings.at(-1)!.id, suspect: true, suspectReason: ARRIVAL_BURST_REASON });
    const changed = events.filter((e) => e.type === 'gov.review.suspect-changed');
    expect(changed.map((e) => e.data.reviewId).sort()).toEqual(
      ratings
        .slice(0, -1)
        .map((r) => r.id)
        .sort(),
    );
    expect(new Set(changed.map((e) => e.data.reason))).toEqual(new Set([ARRIVAL_BURST_REASON]));
  });
});

describe('intake: 刷评 over HTTP — live ratings by arrival, offline batches by ratedAt', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let pg: Client;
  let device: Credential;
  const admin = bearer('admin');
  const http = () => request(app.getHttpServer());
  let seq = 0;

  beforeAll(async () => {
    db = await createTestDatabase('intake_burst_http');
    applyTestEnv(db.url);
    process.env.INTAKE_DEVICE_RATE = '1000';
    process.env.INTAKE_DEVICE_BURST = '1000';
    app = await startTestService(IntakeModule, INTAKE_APP);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    await http().post('/api/v1/units').set('Authorization', admin).send({ code: 'CN-01', name: '一' }).expect(201);
  });

  afterAll(async () => {
    delete process.env.INTAKE_DEVICE_RATE;
    delete process.env.INTAKE_DEVICE_BURST;
    await pg?.end();
    await app?.close();
    await db?.drop();
  });

  const newDevice = async (): Promise<Credential> => {
    const r = await http().post('/api/v1/devices').set('Authorization', admin).send({ unitCode: 'CN-01', windowNo: 'W' }).expect(201);
    return { id: r.body.deviceId, secret: r.body.secret };
  };
  const spaced = (count: number) =>
    Array.from({ length: count }, (_, i) => ({
      serviceRecordId: `HB-${++seq}`,
      serviceItemCode: 'X-1',
      level: 5,
      ratedAt: new Date(Date.now() - 3_600_000 + i * 11_000).toISOString(),
    }));
  const suspects = async (deviceId: string) =>
    (
      await pg.query<{ suspect: boolean; suspect_reason: string | null }>(
        `SELECT suspect, suspect_reason FROM intake.reviews WHERE device_id = $1`,
        [deviceId],
      )
    ).rows;

  it('flags 20 single ratings sent in quick succession though each claims ratedAt 11 s apart', async () => {
    const device = await newDevice();
    for (const rating of spaced(20)) {
      const body = JSON.stringify(rating);
      await http()
        .post('/api/v1/ratings')
        .set(deviceHeaders(device, 'POST', '/api/v1/ratings', body))
        .send(body)
        .expect(201);
    }
    const rows = await suspects(device.id);
    expect(rows).toHaveLength(20);
    expect(rows.every((r) => r.suspect && r.suspect_reason === ARRIVAL_BURST_REASON)).toBe(true);
  });

  it('leaves an offline backlog of the same 20 ratings unflagged: its ratedAt spacing is what counts', async () => {
    device = await newDevice();
    const body = JSON.stringify({ ratings: spaced(20) });
    const res = await http()
      .post('/api/v1/ratings/batch')
      .set(deviceHeaders(device, 'POST', '/api/v1/ratings/batch', body))
      .send(body)
      .expect(200);
    expect(res.body.results.every((r: { status: string }) => r.status === 'created')).toBe(true);
    const rows = await suspects(device.id);
    expect(rows).toHaveLength(20);
    expect(rows.some((r) => r.suspect)).toBe(false);
  });
});
