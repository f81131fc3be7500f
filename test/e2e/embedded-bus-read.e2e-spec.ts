import { DataSource, type QueryRunner } from 'typeorm';
import { BUS_SCHEMA, ensureEventBus, readEventBus } from '#libs/messaging';
import { createTestDatabase, type TestDatabase } from '#libs/testing';

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}
const nodesOf = (plan: PlanNode): PlanNode[] => [plan, ...(plan.Plans ?? []).flatMap(nodesOf)];

/**
 * The embedded bus's read on a log the planner knows nothing about: a backlog appended just now,
 * never analyzed (autovacuum off for the table, so no statistics can appear during the test).
 */
describe('the embedded bus reads a backlog without statistics in index order', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  const TOPICS = ['reviews.submitted', 'cases.lifecycle', 'unresolved.reported'];

  beforeAll(async () => {
    db = await createTestDatabase('bus_read');
    dataSource = new DataSource({ type: 'postgres', url: db.url });
    await dataSource.initialize();
    await ensureEventBus(dataSource);
    await dataSource.query(`ALTER TABLE ${BUS_SCHEMA}.events SET (autovacuum_enabled = false)`);
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

  it('plans ordered index scans of (topic, seq), merged: no bitmap scan, no sort of the backlog', async () => {
    const plan = await inTransaction(async (runner) => {
      // The statement readEventBus runs, explained with its setting in force.
      let explained: PlanNode | null = null;
      const explaining = Object.create(runner) as typeof runner;
      explaining.query = async (sql: string, params?: unknown[]) => {
        if (sql.startsWith('SET')) return runner.query(sql, params);
        const [row] = (await runner.query(`EXPLAIN (FORMAT JSON) ${sql}`, params)) as Array<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>;
        explained = row!['QUERY PLAN'][0]!.Plan;
        return [];
      };
      await readEventBus(explaining, '100', TOPICS, 5_000);
      return explained!;
    });
    const nodes = nodesOf(plan);
    const types = nodes.map((n) => n['Node Type']);
    expect(types).toContain('Merge Append');
    expect(types).not.toContain('Sort');
    expect(types).not.toContain('Bitmap Heap Scan');
    expect(nodes.filter((n) => n['Node Type'] === 'Index Scan').map((n) => n['Index Name'])).toEqual(
      TOPICS.map(() => 'events_topic_seq_idx'),
    );
  });
});
