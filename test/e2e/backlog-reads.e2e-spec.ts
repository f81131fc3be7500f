import { DataSource, type QueryRunner } from 'typeorm';
import { appendToEventBus, BUS_SCHEMA, createMessagingTables, ensureEventBus, readEventBus, readUnpublished } from '#libs/messaging';
import { createTestDatabase, type TestDatabase } from '#libs/testing';

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}
const nodesOf = (plan: PlanNode): PlanNode[] => [plan, ...(plan.Plans ?? []).flatMap(nodesOf)];

/** The plan of the one statement `read` runs on the runner (its settings in force), instead of running it. */
async function planOf(runner: QueryRunner, read: (runner: QueryRunner) => Promise<unknown>): Promise<PlanNode[]> {
  let explained: PlanNode | null = null;
  const explaining = Object.create(runner) as QueryRunner;
  explaining.query = async (sql: string, params?: unknown[]) => {
    if (sql.startsWith('SET')) return runner.query(sql, params);
    const [row] = (await runner.query(`EXPLAIN (FORMAT JSON) ${sql}`, params)) as Array<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>;
    explained = row!['QUERY PLAN'][0]!.Plan;
    return [];
  };
  await read(explaining);
  return nodesOf(explained!);
}

/**
 * The reads of a backlog on tables the planner knows nothing about: rows appended just now, never
 * analyzed (autovacuum off for the tables, so no statistics can appear during the test).
 */
describe('backlogs without statistics are read in index order', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  const TOPICS = ['reviews.submitted', 'cases.lifecycle', 'unresolved.reported'];

  beforeAll(async () => {
    db = await createTestDatabase('bus_read', { migrated: [] });
    dataSource = new DataSource({ type: 'postgres', url: db.url });
    await dataSource.initialize();
    await ensureEventBus(dataSource);
    await dataSource.query(`ALTER TABLE ${BUS_SCHEMA}.events SET (autovacuum_enabled = false)`);
    const runner = dataSource.createQueryRunner();
    await createMessagingTables(runner);
    await runner.release();
    await dataSource.query(`ALTER TABLE outbox SET (autovacuum_enabled = false)`);
    // 50,000 outbox rows, the first 1,000 published.
    await dataSource.query(
      `INSERT INTO outbox (event_id, topic, message_key, payload, published_at)
       SELECT gen_random_uuid(), 'reviews.submitted', 'U' || (i % 7), jsonb_build_object('n', i, 'pad', repeat('评', 250)),
              CASE WHEN i <= 1000 THEN now() END
       FROM generate_series(1, 50000) i`,
    );
    // 60,000 events: mostly reviews, every 10th a case event, every 1000th on a topic no group here reads;
    // values as wide as a review's CloudEvent (~800 bytes), as in a real backlog.
    await dataSource.query(
      `INSERT INTO ${BUS_SCHEMA}.events (topic, message_key, event_id, value)
       SELECT CASE WHEN i % 1000 = 0 THEN 'registry.units' WHEN i % 10 = 0 THEN 'cases.lifecycle' ELSE 'reviews.submitted' END,
              'U' || (i % 7), 'e' || i, jsonb_build_object('id', 'e' || i, 'n', i, 'pad', repeat('评', 250))
       FROM generate_series(1, 60000) i`,
    );
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  async function inTransaction<T>(work: (runner: QueryRunner) => Promise<T>): Promise<T> {
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      const result = await work(runner);
      await runner.commitTransaction();
      return result;
    } finally {
      await runner.release();
    }
  }

  it('returns the first events past the offset of the group’s topics, merged in log order', async () => {
    const events = await inTransaction((runner) => readEventBus(runner, '29995', TOPICS, 5_000));
    expect(events).toHaveLength(5_000);
    const seqs = events.map((e) => Number(e.seq));
    // 29996 … 35000 with the two registry events (30000, 31000 … 35000 are cases or registry) left out.
    const expected: number[] = [];
    for (let i = 29_996; expected.length < 5_000; i++) if (i % 1000 !== 0) expected.push(i);
    expect(seqs).toEqual(expected);
    expect(events[4]).toMatchObject({ seq: '30001', topic: 'reviews.submitted', message_key: 'U6', value: { id: 'e30001', n: 30001 } });
    expect(events.find((e) => e.seq === '30010')).toMatchObject({ topic: 'cases.lifecycle' });
  });

  it('returns only what is left at the end of the log, and nothing past it', async () => {
    const tail = await inTransaction((runner) => readEventBus(runner, '59990', TOPICS, 5_000));
    expect(tail.map((e) => Number(e.seq))).toEqual([59991, 59992, 59993, 59994, 59995, 59996, 59997, 59998, 59999]);
    expect(await inTransaction((runner) => readEventBus(runner, '60000', TOPICS, 5_000))).toEqual([]);
  });

  it('plans the bus read as ordered index scans of (topic, seq), merged: no bitmap scan, no sort of the backlog', async () => {
    const nodes = await inTransaction((runner) => planOf(runner, (r) => readEventBus(r, '100', TOPICS, 5_000)));
    const types = nodes.map((n) => n['Node Type']);
    expect(types).toContain('Merge Append');
    expect(types).not.toContain('Sort');
    expect(types).not.toContain('Bitmap Heap Scan');
    expect(nodes.filter((n) => n['Node Type'] === 'Index Scan').map((n) => n['Index Name'])).toEqual(
      TOPICS.map(() => 'events_topic_seq_idx'),
    );
  });

  it('reads the first unpublished outbox rows in id order', async () => {
    const rows = await inTransaction((runner) => readUnpublished(runner, 5_000));
    expect(rows.map((r) => Number(r.id))).toEqual(Array.from({ length: 5_000 }, (_, i) => 1_001 + i));
    expect(JSON.parse(rows[0]!.payload)).toMatchObject({ n: 1_001 });
    expect(rows[0]).toMatchObject({ topic: 'reviews.submitted', message_key: 'U0' });
  });

  it('plans the outbox read as an ordered scan of the unpublished index: no bitmap scan, no sort', async () => {
    const nodes = await inTransaction((runner) => planOf(runner, (r) => readUnpublished(r, 5_000)));
    const types = nodes.map((n) => n['Node Type']);
    expect(types).not.toContain('Sort');
    expect(types).not.toContain('Bitmap Heap Scan');
    expect(nodes.find((n) => n['Node Type'] === 'Index Scan')?.['Index Name']).toBe('outbox_unpublished_idx');
  });

  it('appends records in their order with their values intact, one laid out over lines compacted', async () => {
    const values = [
      { id: 'a1', comment: '等了"很久"\n还是没办成 \\ 反斜杠', tags: ['EFFICIENCY'] },
      { id: 'a2', nested: { list: [1, 2, { deep: null }] } },
      { id: 'a3', text: 'tab\there' },
    ];
    const records = [
      { topic: 'appends.test', key: 'K2', eventId: 'a1', value: JSON.stringify(values[0]) },
      { topic: 'appends.test', key: 'K1', eventId: 'a2', value: JSON.stringify(values[1], null, 2) },
      { topic: 'appends.other', key: 'K1', eventId: 'a3', value: JSON.stringify(values[2]) },
    ];
    await inTransaction((runner) => appendToEventBus(runner, records));
    const rows = (await dataSource.query(
      `SELECT topic, message_key, event_id, value FROM ${BUS_SCHEMA}.events WHERE topic LIKE 'appends.%' ORDER BY seq`,
    )) as Array<{ topic: string; message_key: string; event_id: string; value: unknown }>;
    expect(rows).toEqual(records.map((r, i) => ({ topic: r.topic, message_key: r.key, event_id: r.eventId, value: values[i] })));
  });
});
