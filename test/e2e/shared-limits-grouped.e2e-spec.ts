import { Pool } from 'pg';
import { SharedLimit, sharedLimit } from '#libs/database';
import { createTestDatabase, type TestDatabase } from '#libs/testing';

/**
 * Decisions asked together go in one statement (libs/database/src/shared-limits.ts, DecisionBatcher):
 * they must come out exactly as if asked one after another, on two pools as on two replicas.
 */
describe('shared limits: decisions grouped into one statement answer as if one after another', () => {
  let db: TestDatabase;
  const pools: Pool[] = [];
  const statements: string[] = [];

  /** A limit on its own pool (as a replica has), counting the decide statements it sends. */
  const limitOn = (pool: Pool, name: string, points: number, windowSeconds = 60): SharedLimit =>
    sharedLimit({ driver: { master: pool }, options: { schema: 'intake' } } as never, { name, points, windowSeconds });

  const newPool = () => {
    const pool = new Pool({ connectionString: db.url, max: 4 });
    const query = pool.query.bind(pool) as (config: unknown, values?: unknown) => Promise<unknown>;
    (pool as unknown as { query: typeof query }).query = (config, values) => {
      const name = (config as { name?: string }).name;
      if (name?.startsWith('shared-limits-decide')) statements.push(name);
      return query(config, values);
    };
    pools.push(pool);
    return pool;
  };

  beforeAll(async () => {
    db = await createTestDatabase('limits', { migrated: [] });
    const setup = new Pool({ connectionString: db.url, max: 1 });
    await setup.query(`CREATE SCHEMA intake`);
    await setup.query(
      `CREATE UNLOGGED TABLE intake.rate_limits (key varchar(255) PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint)`,
    );
    await setup.end();
  });
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
    await db.drop();
  });
  beforeEach(() => (statements.length = 0));

  it('200 concurrent charges of one key at a limit of 50 from two pools: exactly 50 allowed, counts 1…200, few statements', async () => {
    const [a, b] = [newPool(), newPool()];
    const limits = [limitOn(a, 'items', 50), limitOn(b, 'items', 50)];
    const decided = await Promise.all(Array.from({ length: 200 }, (_, i) => decide(limits[i % 2]!, 'device-1', 1)));
    const consumed = decided.map((d) => d.consumed);
    expect([...consumed].sort((x, y) => x - y)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(
      decided
        .filter((d) => d.allowed)
        .map((d) => d.consumed)
        .sort((x, y) => x - y),
    ).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    // Within one pool, the decisions asked while a statement was in flight went together.
    expect(statements.length).toBeLessThan(100);
    expect(statements.length).toBeGreaterThanOrEqual(2);
  });

  it('in one statement, each decision reads the count up to its own charge, per key, in the order asked', async () => {
    const pool = newPool();
    const items = limitOn(pool, 'order', 5);
    const asked = [
      ['k1', 2],
      ['k2', 1],
      ['k1', 3],
      ['k1', 1],
      ['k2', 4],
      ['k2', 1],
    ] as const;
    // The first goes alone (nothing in flight); the other five wait for it and go together.
    const decided = await Promise.all(asked.map(([key, cost]) => decide(items, key, cost)));
    expect(decided.map((d) => [d.consumed, d.allowed])).toEqual([
      [2, true],
      [1, true],
      [5, true],
      [6, false],
      [5, true],
      [6, false],
    ]);
    expect(statements).toHaveLength(2);
    const { rows } = await pool.query(`SELECT key, points FROM intake.rate_limits WHERE key LIKE 'order:%' ORDER BY key`);
    expect(rows).toEqual([
      { key: 'order:k1', points: 6 },
      { key: 'order:k2', points: 6 },
    ]);
  });

  it('a decision whose check is used up charges nothing; the others of its statement are charged', async () => {
    const pool = newPool();
    const failures = limitOn(pool, 'fail', 2);
    const requests = limitOn(pool, 'req', 100);
    await failures.consume('bad-id', 2); // used up
    const [first, refused, allowed] = await Promise.all([
      SharedLimit.decide([[failures, 'good-id']], [[requests, 'dev-a', 1]]),
      SharedLimit.decide([[failures, 'bad-id']], [[requests, 'dev-a', 1]]),
      SharedLimit.decide([[failures, 'good-id']], [[requests, 'dev-a', 1]]),
    ]);
    expect(first).toEqual({ checked: null, charged: [expect.objectContaining({ allowed: true, consumed: 1 })], applied: true });
    expect(refused.checked).toEqual(expect.objectContaining({ allowed: false, consumed: 2 }));
    expect(refused).toEqual(expect.objectContaining({ charged: [], applied: false }));
    expect(allowed.charged).toEqual([expect.objectContaining({ allowed: true, consumed: 2 })]);
    const { rows } = await pool.query(`SELECT points FROM intake.rate_limits WHERE key = 'req:dev-a'`);
    expect(rows).toEqual([{ points: 2 }]);
  });

  it('a window that has ended starts afresh with the charges of the statement', async () => {
    const pool = newPool();
    const items = limitOn(pool, 'window', 3, 1);
    await pool.query(`INSERT INTO intake.rate_limits (key, points, expire) VALUES ('window:old', 3, $1)`, [Date.now() - 1]);
    const decided = await Promise.all([decide(items, 'old', 1), decide(items, 'old', 1)]);
    expect(decided.map((d) => d.consumed).sort()).toEqual([1, 2]);
    expect(decided.every((d) => d.allowed && d.msBeforeReset > 0 && d.msBeforeReset <= 1000)).toBe(true);
  });
});

async function decide(limit: SharedLimit, key: string, cost: number) {
  const { charged } = await SharedLimit.decide([], [[limit, key, cost]]);
  return charged[0]!;
}
