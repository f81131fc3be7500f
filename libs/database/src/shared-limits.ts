import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * Limits that hold across every replica of a service: counters in the service's `rate_limits` table,
 * kept by rate-limiter-flexible's PostgreSQL store on the service's own `pg` pool.
 *
 * Each decision is one statement (`INSERT … ON CONFLICT (key) DO UPDATE … RETURNING`), atomic in
 * PostgreSQL: replicas racing on one key are serialised by its row, so N replicas admit exactly the
 * limit, never N times it. Windows are fixed (`points` per `windowSeconds`, starting at a key's first
 * point), timed by the deciding replica's clock.
 */
export interface SharedLimitOptions {
  /** This limit's key prefix in the table, e.g. `device-rate`. */
  name: string;
  /** Points allowed per window. */
  points: number;
  windowSeconds: number;
  /**
   * Once a key is refused, this process refuses it from memory until its window ends, without a
   * round trip: a flood from one key costs the database one statement per replica, not one per request.
   */
  blockInMemory?: boolean;
}

export interface LimitDecision {
  allowed: boolean;
  /** Points used in the current window, this decision's included. */
  consumed: number;
  /** Milliseconds until the window ends and the key starts afresh. */
  msBeforeReset: number;
}

interface Store {
  pool: Pool;
  /** Schema-qualified, quoted as the library quotes it. */
  table: string;
  prefix: string;
}

export class SharedLimit {
  constructor(
    private readonly limiter: RateLimiterPostgres,
    readonly points: number,
    private readonly store: Store,
  ) {}

  /**
   * Peeks at several keys of limits of one service in one statement, reading the library's row layout
   * (`<prefix>:<key>`, points, expire in epoch ms) as its own `get` does: the failed-signature throttle
   * asks about an id and an address on every signed request, and one round trip costs half of two.
   */
  static async peekAll(checks: Array<[SharedLimit, string]>): Promise<LimitDecision[]> {
    if (checks.length === 0) return [];
    const { pool, table } = checks[0]![0].store;
    const keys = checks.map(([limit, key]) => `${limit.store.prefix}:${key}`);
    const now = Date.now();
    const { rows } = await pool.query<{ key: string; points: number; expire: string | null }>({
      name: 'shared-limits-peek',
      text: `SELECT key, points, expire FROM ${table} WHERE key = ANY($1) AND (expire > $2 OR expire IS NULL)`,
      values: [keys, now],
    });
    const found = new Map(rows.map((r) => [r.key, r]));
    return checks.map(([limit], i) => {
      const row = found.get(keys[i]!);
      if (!row) return { allowed: true, consumed: 0, msBeforeReset: 0 };
      return {
        allowed: row.points < limit.points,
        consumed: row.points,
        msBeforeReset: row.expire === null ? 0 : Math.max(0, Number(row.expire) - now),
      };
    });
  }

  /** Takes `cost` points; refused (and still counted, so a retrying caller stays refused) past the limit. */
  async consume(key: string, cost = 1): Promise<LimitDecision> {
    try {
      return decision(true, await this.limiter.consume(key, cost));
    } catch (err) {
      if (err instanceof RateLimiterRes) return decision(false, err);
      throw err;
    }
  }

  /** Whether the key has a point left now, without taking one (for limits charged only on failure). */
  async peek(key: string): Promise<LimitDecision> {
    const res = await this.limiter.get(key);
    if (!res) return { allowed: true, consumed: 0, msBeforeReset: 0 };
    return decision(res.consumedPoints < this.points, res);
  }

  /** Gives back points taken by a consume that turned out not to count (a successful login). */
  async reward(key: string, points = 1): Promise<void> {
    await this.limiter.reward(key, points);
  }

  /** Forgets a key: its window starts afresh. */
  async reset(key: string): Promise<void> {
    await this.limiter.delete(key);
  }
}

function decision(allowed: boolean, res: RateLimiterRes): LimitDecision {
  return { allowed, consumed: res.consumedPoints, msBeforeReset: Math.max(0, res.msBeforeNext) };
}

/** Seconds to announce in Retry-After: at least one. */
export function retryAfterSeconds(decision: LimitDecision): number {
  return Math.max(1, Math.ceil(decision.msBeforeReset / 1000));
}

/** The schema-qualified table of the data source's service. */
export function rateLimitTable(dataSource: DataSource): { schema: string; table: string } {
  const schema = (dataSource.options as { schema?: string }).schema;
  if (!schema) throw new Error('shared limits need the service schema of the data source');
  return { schema, table: 'rate_limits' };
}

/** Services whose expired rows are already swept by a limit of this process (one sweep per table is enough). */
const swept = new WeakSet<object>();

export function sharedLimit(dataSource: DataSource, options: SharedLimitOptions): SharedLimit {
  if (!Number.isInteger(options.points) || options.points < 1) throw new Error(`limit ${options.name} needs at least one point`);
  // TypeORM's postgres driver keeps its pg Pool as `master`; the library queries it like any pg pool.
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  const { schema, table } = rateLimitTable(dataSource);
  const sweep = !swept.has(pool);
  swept.add(pool);
  const limiter = new RateLimiterPostgres({
    storeClient: pool,
    storeType: 'pool',
    schemaName: schema,
    tableName: table,
    tableCreated: true, // by the service's migration
    clearExpiredByTimeout: sweep, // every 5 minutes, rows expired an hour ago
    keyPrefix: options.name,
    points: options.points,
    duration: Math.max(1, Math.round(options.windowSeconds)),
    ...(options.blockInMemory ? { inMemoryBlockOnConsumed: options.points + 1 } : {}),
  });
  return new SharedLimit(limiter, options.points, { pool, table: `"${schema}"."${table}"`, prefix: options.name });
}
