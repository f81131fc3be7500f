import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OutboxRelay } from '#libs/messaging';
import { STATISTICS_APP, StatisticsModule } from '../../apps/statistics/src/statistics.module.js';
import { applyTestEnv, createTestDatabase, startTestService, type TestDatabase } from '#libs/testing';

/**
 * Retention of a service's messaging tables: handled inbox rows older than INBOX_RETENTION_DAYS (30 by default,
 * longer than any topic keeps an event) and published outbox rows older than 7 days go; dead-lettered events,
 * younger rows and unpublished outbox rows stay.
 */
describe('messaging tables retention', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let sql: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('retention');
    applyTestEnv(db.url);
    app = await startTestService(StatisticsModule, STATISTICS_APP);
    sql = app.get(DataSource);
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  const inboxRows = async () =>
    Object.fromEntries(
      (
        await sql.query<Array<{ kind: string; n: number }>>(
          `SELECT split_part(event_id, '-', 1) AS kind, count(*)::int AS n FROM statistics.processed_events
           WHERE consumer = 'retention-test' GROUP BY 1`,
        )
      ).map((r) => [r.kind, r.n]),
    );

  it('deletes what redelivery can no longer reach, in chunks, and keeps the rest', async () => {
    await sql.query(
      `INSERT INTO statistics.processed_events (consumer, event_id, outcome, reason, processed_at)
       SELECT 'retention-test', 'old-' || i, 'processed', NULL, now() - interval '31 days' - i * interval '1 second' FROM generate_series(1, 45000) i
       UNION ALL
       SELECT 'retention-test', 'dead-' || i, 'dead_lettered', 'PoisonEventError', now() - interval '90 days' FROM generate_series(1, 3) i
       UNION ALL
       SELECT 'retention-test', 'young-' || i, 'processed', NULL, now() - interval '29 days' FROM generate_series(1, 500) i`,
    );
    await sql.query(
      `INSERT INTO statistics.outbox (event_id, topic, message_key, payload, created_at, published_at)
       SELECT gen_random_uuid(), 'cases.publication', 'U1', '{}'::jsonb, now() - interval '9 days',
              CASE WHEN i <= 4 THEN now() - interval '8 days' WHEN i <= 6 THEN now() - interval '6 days' END
       FROM generate_series(1, 8) i`,
    );
    expect(await inboxRows()).toEqual({ old: 45000, dead: 3, young: 500 });

    await expect(app.get(OutboxRelay).pruneMessagingTables()).resolves.toEqual({ outbox: 4, inbox: 45000 });

    expect(await inboxRows()).toEqual({ dead: 3, young: 500 });
    // Left: the two published 6 days ago, and the two unpublished ones (which the running relay may have published since).
    const outbox = await sql.query<Array<{ age: string; n: number }>>(
      `SELECT CASE WHEN published_at < now() - interval '1 day' THEN 'days' ELSE 'recent or pending' END AS age, count(*)::int AS n
       FROM statistics.outbox WHERE topic = 'cases.publication' GROUP BY 1 ORDER BY 1`,
    );
    expect(outbox).toEqual([
      { age: 'days', n: 2 },
      { age: 'recent or pending', n: 2 },
    ]);
    await expect(app.get(OutboxRelay).pruneMessagingTables()).resolves.toEqual({ outbox: 0, inbox: 0 });
  });
});
