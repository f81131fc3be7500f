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
    // intake's rate_limits and its decide_limits function, as the migrations leave them.
    db = await createTestDatabase('limits', { migrated: ['intake'] });
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
    expect(first).toEqual({ checked: null, charged: [expect.objectContaining({ allowed: true, consumed: 1 })] });
    expect(refused.checked).toEqual(expect.objectContaining({ allowed: false, consumed: 2 }));
    expect(refused).toEqual(expect.objectContaining({ charged: [] }));
    expect(allowed.charged).toEqual([expect.objectContaining({ allowed: true, consumed: 2 })]);
    const { rows } = await pool.query(`SELECT points FROM intake.rate_limits WHERE key = 'req:dev-a'`);
    expect(rows).toEqual([{ points: 2 }]);
  });

  it('a refused decision gives back its refundable charges; the others stay counted', async () => {
    const pool = newPool();
    const rate = limitOn(pool, 'r', 3);
    const budget = limitOn(pool, 'b', 4);
    const ask = (items: number) =>
      SharedLimit.decide(
        [],
        [
          [rate, 'pad', 1],
          [budget, 'pad', items, true],
        ],
      );
    // In one statement: 3 items (allowed), 2 (over the budget of 4: refused, its 2 given back), 1 (allowed: 4 of 4),
    // then a fourth request over the request limit of 3 (refused, its item given back).
    const decided = await Promise.all([ask(3), ask(2), ask(1), ask(1)]);
    expect(decided.map((d) => d.charged.map((c) => [c.consumed, c.allowed]))).toEqual([
      [
        [1, true],
        [3, true],
      ],
      [
        [2, true],
        [5, false],
      ],
      [
        [3, true],
        [4, true],
      ],
      [
        [4, false],
        [5, false],
      ],
    ]);
    const { rows } = await pool.query(`SELECT key, points FROM intake.rate_limits WHERE key IN ('r:pad', 'b:pad') ORDER BY key`);
    expect(rows).toEqual([
      { key: 'b:pad', points: 4 },
      { key: 'r:pad', points: 4 },
    ]);
  });

  it('a check reads the counts charged before it in the same statement', async () => {
    const pool = newPool();
    const failures = limitOn(pool, 'f', 2);
    // Two failures counted, then a request checking that key: all three in one statement after the first.
    const [first, second, checked] = await Promise.all([
      SharedLimit.decide([[failures, 'id-9']], [[failures, 'id-9', 1]]),
      SharedLimit.decide([[failures, 'id-9']], [[failures, 'id-9', 1]]),
      SharedLimit.decide([[failures, 'id-9']], []),
    ]);
    expect([first.charged[0]!.consumed, second.charged[0]!.consumed]).toEqual([1, 2]);
    expect(checked.checked).toEqual(expect.objectContaining({ allowed: false, consumed: 2 }));
  });

  it('decide_limits: many decisions in one call answer and count exactly as the same decisions one call each (300 random cases)', async () => {
    const pool = newPool();
    const random = seeded(20261207);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const now = 1_000_000;
    for (let n = 0; n < 300; n++) {
      // Few keys, small limits: decisions meet each other, checks find keys used up, charges are refused.
      const keys = ['k1', 'k2', 'k3', 'k4'];
      const rows = keys
        .filter(() => random() < 0.6)
        .map((key) => ({ key, points: Math.floor(random() * 5), expire: pick([now - 1, now + 5_000, now + 60_000]) }));
      const decisions = Array.from({ length: 1 + Math.floor(random() * 8) }, () =>
        random() < 0.1
          ? null
          : {
              checks: keys.filter(() => random() < 0.25).map((key) => [key, 1 + Math.floor(random() * 5)]),
              charges: keys
                .filter(() => random() < 0.4)
                .map((key) => [key, 1 + Math.floor(random() * 3), 60_000, 1 + Math.floor(random() * 6), random() < 0.5]),
            },
      );
      const run = async (side: string, calls: Array<typeof decisions>) => {
        const prefixed = (key: string) => `prop-${n}-${side}:${key}`;
        for (const r of rows) await pool.query(`INSERT INTO intake.rate_limits VALUES ($1, $2, $3)`, [prefixed(r.key), r.points, r.expire]);
        const answers: unknown[] = [];
        let offset = 0;
        for (const call of calls) {
          const wire = call.map(
            (d) =>
              d && {
                checks: d.checks.map(([k, l]) => [prefixed(k as string), l]),
                charges: d.charges.map(([k, ...rest]) => [prefixed(k as string), ...rest]),
              },
          );
          const { rows: answered } = await pool.query(`SELECT * FROM intake.decide_limits($1::json, $2::bigint)`, [
            JSON.stringify(wire),
            now,
          ]);
          answers.push(...answered.map((a) => ({ ...a, req: a.req + offset, ms_left: Number(a.ms_left) })));
          offset += call.length;
        }
        const { rows: state } = await pool.query(
          `SELECT substr(key, length($1) + 1) AS key, points, expire FROM intake.rate_limits WHERE key LIKE $1 || '%' ORDER BY key`,
          [`prop-${n}-${side}:`],
        );
        return { answers, state: state.map((r) => ({ ...r, expire: Number(r.expire) })) };
      };
      const together = await run('one', [decisions]);
      const apart = await run(
        'each',
        decisions.map((d) => [d]),
      );
      expect({ n, ...together }).toEqual({ n, ...apart });
    }
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

/** A small deterministic generator (mulberry32), so a failing case is the same case on every run. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function decide(limit: SharedLimit, key: string, cost: number) {
  const { charged } = await SharedLimit.decide([], [[limit, key, cost]]);
  return charged[0]!;
}
