import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import { RECTIFICATION_APP, RectificationModule } from '../../apps/rectification/src/rectification.module.js';
import { MetricsRegistry } from '#libs/common';
import { type CloudEvent, Topics } from '#libs/contracts';
import { applyTestEnv, createTestDatabase, eventually, startTestService, type TestDatabase } from '#libs/testing';
import { queueOnBus } from './pipeline-fixtures.js';
import { reviewEvent, unresolvedEvent } from './rectification-fixtures.js';

describe('rectification opens a batch of cases at once, exactly once', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let sql: Client;

  beforeAll(async () => {
    db = await createTestDatabase('rect_batch');
    applyTestEnv(db.url);
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    app = await startTestService(RectificationModule, RECTIFICATION_APP);
  });

  /** Until the group's offset is past every event of the topics it reads. */
  const caughtUp = async () => {
    const [{ end }] = (
      await sql.query(`SELECT max(seq)::int AS end FROM event_bus.events WHERE topic = ANY($1)`, [
        [Topics.ReviewsSubmitted, Topics.UnresolvedReported],
      ])
    ).rows as Array<{ end: number }>;
    await eventually(
      async () =>
        Number((await sql.query(`SELECT last_seq FROM event_bus.group_offsets WHERE group_id = 'rectification'`)).rows[0]?.last_seq ?? 0),
      (o) => o >= end,
      30_000,
    );
  };

  afterAll(async () => {
    await sql?.end();
    await app?.close();
    await db?.drop();
  });

  it('opens one case, one timeline entry and one gov.case.opened per bad event; good ones cost nothing; a redelivered batch changes nothing', async () => {
    const unitCode = 'RB-01';
    const events: Array<CloudEvent<unknown>> = [];
    for (let i = 0; i < 500; i++)
      events.push(reviewEvent({ unitCode, level: i % 25 === 0 ? 1 : 5, grade: i % 25 === 0 ? 'BAD' : 'GOOD' }) as CloudEvent<unknown>);
    const bad = events.filter((e) => (e.data as { grade: string }).grade === 'BAD');
    // The same bad event twice within the batch, and a second event for an already reviewed id (another event id).
    const again = reviewEvent({ ...(bad[1]!.data as object), unitCode }) as CloudEvent<unknown>;
    await queueOnBus(sql, Topics.ReviewsSubmitted, [...events, bad[0]!, again]);
    const reports = [unresolvedEvent({ unitCode }), unresolvedEvent({ unitCode })] as Array<CloudEvent<unknown>>;
    await queueOnBus(sql, Topics.UnresolvedReported, reports);
    const expectedCases = bad.length + reports.length;
    const count = async () =>
      (
        await sql.query(
          `SELECT (SELECT count(*) FROM rectification.cases WHERE unit_code = $1)::int AS cases,
             (SELECT count(*) FROM rectification.case_timeline t JOIN rectification.cases c ON c.id = t.case_id WHERE c.unit_code = $1)::int AS timeline,
             (SELECT count(*) FROM rectification.outbox WHERE topic = 'cases.lifecycle' AND payload->>'type' = 'gov.case.opened'
                AND payload->'data'->>'unitCode' = $1)::int AS opened`,
          [unitCode],
        )
      ).rows[0] as { cases: number; timeline: number; opened: number };
    await eventually(count, (c) => c.cases === expectedCases, 30_000);
    await caughtUp();
    expect(await count()).toEqual({ cases: expectedCases, timeline: expectedCases, opened: expectedCases });
    // Good ratings left no inbox rows: only the bad events and the reports were recorded.
    const inbox = Number(
      (await sql.query(`SELECT count(*) AS n FROM rectification.processed_events WHERE consumer = 'rectification.cases'`)).rows[0].n,
    );
    expect(inbox).toBe(bad.length + 1 + reports.length);
    const skipped = (await app.get(MetricsRegistry).eventsHandled.get()).values.find((v) => v.labels.outcome === 'skipped')?.value;
    expect(skipped).toBeGreaterThanOrEqual(events.length - bad.length);

    // Delivered again from the start: nothing new.
    await sql.query(`UPDATE event_bus.group_offsets SET last_seq = 0 WHERE group_id = 'rectification'`);
    await caughtUp();
    expect(await count()).toEqual({ cases: expectedCases, timeline: expectedCases, opened: expectedCases });
  });
});
