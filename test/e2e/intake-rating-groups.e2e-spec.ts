import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { INTAKE_SCHEMA } from '../../apps/intake/src/data-source.js';
import { BURST_REASON } from '../../apps/intake/src/ratings/rating-rules.js';
import { RatingWriter } from '../../apps/intake/src/ratings/rating-writer.js';
import { type PreparedRating, RatingsRepository, type WriteOutcome } from '../../apps/intake/src/ratings/ratings.repository.js';
import { type CloudEvent, createCloudEvent, eventDataErrors, EventSources, EventTypes, type ReviewSubmittedData } from '#libs/contracts';
import { migrateServiceSchema, serviceDataSourceOptions } from '#libs/database';
import { OutboxService } from '#libs/messaging';
import { createTestDatabase, eventually, type TestDatabase } from '#libs/testing';

interface OutboxRow {
  event_id: string;
  topic: string;
  message_key: string;
  payload: CloudEvent<Record<string, unknown>>;
}

/**
 * The group write (write_pad_ratings) against a real database, without HTTP in between:
 * exact per-rating outcomes, exactly the right outbox events, burst flags, atomicity,
 * the relay wake-up after the commit — and one round trip per group.
 */
describe('intake: writing a group of PAD ratings', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let sql: Client;
  let repository: RatingsRepository;
  let writer: RatingWriter;

  let seq = 0;
  /** A rating of its own service record, rated `offsetSeconds` after 2024-11-20T02:00Z. */
  const prepared = (deviceId: string, offsetSeconds = seq * 60, over: Partial<PreparedRating> = {}): PreparedRating => {
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
      serviceRecordId: `G-${seq}`,
      serviceItemCode: '310105-XK-0001',
      serviceItemName: '食品经营许可',
      staffId: 'E1024',
      level: 2,
      grade: 'BAD',
      tags: ['ATTITUDE'],
      comment: `评价 ${seq}`,
      contact: { maskedName: '张*', maskedPhone: '138****8000', sealed: `sealed-${seq}` },
      ratedAt: new Date(Date.UTC(2024, 10, 20, 2) + offsetSeconds * 1000),
      receivedAt: new Date(Date.UTC(2024, 10, 20, 3)),
      bodyHash: `hash-${seq}`,
      live: false,
      ...over,
    };
  };
  /** The same rating retried (same key and body), as a new request prepares it: a new id. */
  const retryOf = (r: PreparedRating): PreparedRating => ({ ...r, id: randomUUID() });
  /** Another body for the same service record. */
  const otherBodyFor = (r: PreparedRating): PreparedRating => ({
    ...r,
    id: randomUUID(),
    level: 5,
    grade: 'GOOD',
    bodyHash: `${r.bodyHash}-x`,
  });

  const lastOutboxId = async () => Number((await sql.query(`SELECT coalesce(max(id), 0) AS id FROM intake.outbox`)).rows[0].id);
  const outboxAfter = async (id: number) =>
    (await sql.query(`SELECT event_id, topic, message_key, payload FROM intake.outbox WHERE id > $1 ORDER BY id`, [id]))
      .rows as OutboxRow[];
  const stored = async (ids: string[]) =>
    (await sql.query(`SELECT id, suspect, suspect_reason FROM intake.reviews WHERE id = ANY($1::uuid[]) ORDER BY rated_at`, [ids]))
      .rows as Array<{ id: string; suspect: boolean; suspect_reason: string | null }>;

  /** The contract: exactly createCloudEvent's members, and data valid against the event type's schema. */
  const expectContractShape = (row: OutboxRow) => {
    const event = row.payload;
    const reference = createCloudEvent({ type: event.type, source: EventSources.Intake, subject: 'x', data: {} });
    expect(Object.keys(event).sort()).toEqual(Object.keys(reference).sort());
    expect(event).toMatchObject({ specversion: '1.0', source: EventSources.Intake, datacontenttype: 'application/json' });
    expect(event.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Date(event.time).toISOString()).toBe(event.time);
    expect(row).toMatchObject({ event_id: event.id, topic: 'reviews.submitted', message_key: event.data.unitCode });
    expect(eventDataErrors(event)).toEqual([]);
  };
  const submittedData = (r: PreparedRating, suspectReason: string | null): ReviewSubmittedData => ({
    reviewId: r.id,
    unitCode: r.unitCode,
    unitName: r.unitName,
    channel: 'PAD',
    stage: 'COMPLETION',
    level: r.level,
    grade: r.grade,
    tags: r.tags,
    serviceItemCode: r.serviceItemCode,
    serviceItemName: r.serviceItemName,
    serviceRecordId: r.serviceRecordId,
    windowNo: r.windowNo,
    staffId: r.staffId,
    comment: r.comment,
    ratedAt: r.ratedAt.toISOString(),
    receivedAt: r.receivedAt.toISOString(),
    suspect: suspectReason !== null,
    suspectReason,
    ticketId: null,
    hotlineClientId: null,
    category: null,
    dueAt: null,
    contact: r.contact,
  });
  const created = (r: PreparedRating): WriteOutcome => ({ kind: 'created', id: r.id });

  beforeAll(async () => {
    db = await createTestDatabase('intake_groups');
    dataSource = await new DataSource(serviceDataSourceOptions(INTAKE_SCHEMA, db.url, 4)).initialize();
    await migrateServiceSchema(dataSource, INTAKE_SCHEMA.schema);
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    repository = new RatingsRepository(dataSource, new OutboxService());
    writer = new RatingWriter(repository, { INTAKE_WRITE_LANES: 2, INTAKE_BATCH_LANES: 2, INTAKE_WRITE_GROUP: 1000 });
  });

  afterAll(async () => {
    await sql?.end();
    await dataSource?.destroy();
    await db?.drop();
  });

  afterEach(() => jest.restoreAllMocks());

  it('answers each rating of a mixed group on its own and writes exactly one event per stored rating', async () => {
    const device = randomUUID();
    const x = prepared(device);
    const y = prepared(device);
    expect(await repository.writeGroup([x, y])).toEqual([created(x), created(y)]);
    const before = await lastOutboxId();

    const fresh = prepared(device);
    const leader = prepared(device);
    const group = [
      fresh,
      retryOf(x), // stored before with the same body: duplicate, answered with the stored id
      otherBodyFor(y), // stored before with another body: conflict
      leader, // the first of three ratings of one new service record is stored...
      retryOf(leader), // ...an identical one is its duplicate
      otherBodyFor(leader), // ...a different one conflicts with it
      leader, // the very same rating twice: created once, then a duplicate
    ];
    expect(await repository.writeGroup(group)).toEqual([
      created(fresh),
      { kind: 'duplicate', id: x.id },
      { kind: 'conflict', id: y.id },
      created(leader),
      { kind: 'duplicate', id: leader.id },
      { kind: 'conflict', id: leader.id },
      { kind: 'duplicate', id: leader.id },
    ]);

    const events = await outboxAfter(before);
    expect(events.map((e) => [e.payload.type, e.payload.subject])).toEqual([
      [EventTypes.ReviewSubmitted, fresh.id],
      [EventTypes.ReviewSubmitted, leader.id],
    ]);
    events.forEach(expectContractShape);
    expect(events.map((e) => e.payload.data)).toEqual([submittedData(fresh, null), submittedData(leader, null)]);
    expect(
      (await sql.query(`SELECT count(*)::int AS n FROM intake.reviews WHERE id = ANY($1::uuid[])`, [group.map((r) => r.id)])).rows[0].n,
    ).toBe(2);
    const [row] = (await sql.query(`SELECT * FROM intake.reviews WHERE id = $1`, [leader.id])).rows;
    expect(row).toMatchObject({
      unit_code: 'CN-01',
      channel: 'PAD',
      service_record_id: leader.serviceRecordId,
      device_id: device,
      window_no: 'A01',
      level: 2,
      grade: 'BAD',
      tags: ['ATTITUDE'],
      comment: leader.comment,
      contact_sealed: leader.contact.sealed,
      contact_masked_name: '张*',
      contact_masked_phone: '138****8000',
      rated_at: leader.ratedAt,
      received_at: leader.receivedAt,
      body_hash: leader.bodyHash,
      suspect: false,
      suspect_reason: null,
    });
  });

  it('flags a burst: the new rating in its submitted event, earlier ones each with a suspect-changed event, never a cleared one', async () => {
    const device = randomUUID();
    const earlier = [0, 2, 4, 6, 8].map((s) => prepared(device, s));
    expect(await repository.writeGroup(earlier)).toEqual(earlier.map((r) => created(r)));
    // A supervisor cleared this one earlier: no burst may flag it again.
    await sql.query(`UPDATE intake.reviews SET suspect_cleared_at = now(), suspect_cleared_by = 'supervisor' WHERE id = $1`, [
      earlier[1]!.id,
    ]);
    const before = await lastOutboxId();

    const sixth = prepared(device, 10);
    expect(await repository.writeGroup([sixth, retryOf(sixth)])).toEqual([created(sixth), { kind: 'duplicate', id: sixth.id }]);

    const events = await outboxAfter(before);
    events.forEach(expectContractShape);
    expect(events[0]!.payload).toMatchObject({ type: EventTypes.ReviewSubmitted, subject: sixth.id });
    expect(events[0]!.payload.data).toEqual(submittedData(sixth, BURST_REASON));
    const retroactive = [earlier[0]!, ...earlier.slice(2)];
    const changed = events.slice(1);
    expect(changed.map((e) => e.payload.type)).toEqual(retroactive.map(() => EventTypes.ReviewSuspectChanged));
    expect(changed.map((e) => e.payload.data).sort((a, b) => String(a.reviewId).localeCompare(String(b.reviewId)))).toEqual(
      retroactive
        .map((r) => ({ reviewId: r.id, unitCode: 'CN-01', suspect: true, reason: BURST_REASON }))
        .sort((a, b) => a.reviewId.localeCompare(b.reviewId)),
    );
    for (const e of changed) expect(e.payload.subject).toBe(e.payload.data.reviewId);
    expect(new Set(events.map((e) => e.event_id)).size).toBe(events.length);

    expect(await stored([...earlier, sixth].map((r) => r.id))).toEqual(
      [...earlier, sixth].map((r) => ({
        id: r.id,
        suspect: r !== earlier[1],
        suspect_reason: r === earlier[1] ? null : BURST_REASON,
      })),
    );
  });

  it('waits for a concurrent writer of the same device and counts its ratings: a burst split over two instances is flagged', async () => {
    const otherInstance = new RatingsRepository(dataSource, new OutboxService());
    const device = randomUUID();
    const first = [0, 1, 2].map((s) => prepared(device, s));
    const second = [3, 4, 5].map((s) => prepared(device, s));
    const before = await lastOutboxId();

    // Hold the device's burst lock, so that both writers insert and then queue for it.
    const holder = new Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT pg_advisory_xact_lock(hashtextextended('intake-device:' || $1, 0))`, [device]);
      const writes = Promise.all([repository.writeGroup(first), otherInstance.writeGroup(second)]);
      await eventually(
        async () =>
          (
            await sql.query(
              `SELECT count(*)::int AS n FROM pg_locks
               WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
            )
          ).rows[0].n as number,
        (waiting) => waiting === 2,
      );
      await holder.query('COMMIT');
      const outcomes = await writes;

      // The writer that got the lock first saw only its own three; the other, after that commit, all six:
      // its ratings' submitted events carry the flag, the first writer's do not.
      const submitted = new Map(
        (await outboxAfter(before))
          .filter((e) => e.payload.type === EventTypes.ReviewSubmitted)
          .map((e) => [e.payload.subject, e.payload.data as unknown as ReviewSubmittedData]),
      );
      const groups = [first, second];
      const flaggedGroup = groups.findIndex((group) => group.every((r) => submitted.get(r.id)?.suspect === true));
      expect(flaggedGroup).toBeGreaterThanOrEqual(0);
      const [early, late] = flaggedGroup === 1 ? [first, second] : [second, first];
      expect(outcomes[flaggedGroup]).toEqual(late.map((r) => created(r)));
      expect(outcomes[1 - flaggedGroup]).toEqual(early.map((r) => created(r)));
      expect(late.map((r) => submitted.get(r.id)?.suspectReason)).toEqual(late.map(() => BURST_REASON));
      expect(early.map((r) => submitted.get(r.id)?.suspect)).toEqual(early.map(() => false));
      expect((await stored([...first, ...second].map((r) => r.id))).every((r) => r.suspect)).toBe(true);
      const changed = (await outboxAfter(before)).filter((e) => e.payload.type === EventTypes.ReviewSuspectChanged);
      expect(changed.map((e) => e.payload.subject).sort()).toEqual(early.map((r) => r.id).sort());
    } finally {
      await holder.end();
    }
  });

  it('writes a group in ONE round trip to PostgreSQL: no BEGIN, no COMMIT, one statement', async () => {
    const device = randomUUID();
    const existing = prepared(device);
    await repository.writeGroup([existing]);
    const queries = jest.spyOn(Client.prototype, 'query');

    const group = [...[0, 1, 2, 3, 4, 5].map((s) => prepared(device, 3600 + s)), retryOf(existing), otherBodyFor(existing)];
    const outcomes = await repository.writeGroup(group);
    expect(outcomes.map((o) => o.kind)).toEqual([...Array(6).fill('created'), 'duplicate', 'conflict']);
    expect(queries).toHaveBeenCalledTimes(1);
    expect(String(queries.mock.calls[0]![0])).toMatch(/^SELECT .* FROM write_pad_ratings\(/);

    // Coalesced by the writer: one group, still one round trip.
    queries.mockClear();
    const rows = [0, 1, 2].map(() => prepared(device));
    expect((await Promise.all(writer.writeAll(rows))).map((o) => o.kind)).toEqual(['created', 'created', 'created']);
    expect(queries).toHaveBeenCalledTimes(1);
  });

  it('wakes the relay once the group has committed, and not for a group that wrote no event', async () => {
    const device = randomUUID();
    const r = prepared(device);
    const seenAtWakeUp: Array<Promise<number>> = [];
    const onAdded = jest.fn(() => {
      // Sent from another connection the moment the relay is woken: it must already see the event.
      seenAtWakeUp.push(
        sql
          .query(`SELECT count(*)::int AS n FROM intake.outbox WHERE payload->>'subject' = $1`, [r.id])
          .then((res) => res.rows[0].n as number),
      );
    });
    // An outbox of its own, so that this listener does not outlive the test.
    const relayed = new OutboxService();
    relayed.onAdded(onAdded);
    const ratings = new RatingsRepository(dataSource, relayed);

    await ratings.writeGroup([r]);
    expect(onAdded).toHaveBeenCalledTimes(1);
    expect(await Promise.all(seenAtWakeUp)).toEqual([1]);

    await ratings.writeGroup([retryOf(r), otherBodyFor(r)]);
    expect(onAdded).toHaveBeenCalledTimes(1);
  });

  it('is atomic: a group with a bad rating leaves nothing, and the writer then stores its neighbours one by one', async () => {
    const device = randomUUID();
    const good = [prepared(device), prepared(device)];
    const bad = prepared(device, undefined, { grade: null as unknown as PreparedRating['grade'] }); // violates NOT NULL
    const before = await lastOutboxId();

    await expect(repository.writeGroup([good[0]!, bad, good[1]!])).rejects.toThrow(/null value/);
    expect(await stored(good.map((r) => r.id))).toEqual([]);
    expect(await outboxAfter(before)).toEqual([]);

    // Sent in one turn of the event loop (and one lane: one device), the three form one group again.
    const results = await Promise.allSettled([good[0]!, bad, good[1]!].map((r) => writer.write(r)));
    expect(results.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await stored(good.map((r) => r.id))).map((s) => s.id).sort()).toEqual(good.map((r) => r.id).sort());
    expect((await outboxAfter(before)).map((e) => e.payload.subject).sort()).toEqual(good.map((r) => r.id).sort());
  });

  it('stores a full batch of 500 in one group', async () => {
    const device = randomUUID();
    const rows = Array.from({ length: 500 }, (_, i) => prepared(device, 7200 + i * 60));
    const before = await lastOutboxId();
    const queries = jest.spyOn(Client.prototype, 'query');
    expect(await repository.writeGroup(rows)).toEqual(rows.map((r) => created(r)));
    expect(queries).toHaveBeenCalledTimes(1);
    queries.mockRestore();
    const events = await outboxAfter(before);
    expect(events.map((e) => e.payload.subject)).toEqual(rows.map((r) => r.id));
  });
});
