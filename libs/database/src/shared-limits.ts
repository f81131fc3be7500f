import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * Limits that hold across every replica of a service: counters in the service's `rate_limits` table
 * (unlogged: worth nothing after a crash), kept by rate-limiter-flexible's PostgreSQL store on the
 * service's own `pg` pool.
 *
 * Each decision is one statement (`INSERT … ON CONFLICT (key) DO UPDATE … RETURNING`), atomic in
 * PostgreSQL: replicas racing on one key are serialised by its row, so N replicas admit exactly the
 * limit, never N times it. Windows are fixed (`points` per `windowSeconds`, starting at a key's first
 * point), timed by the deciding replica's clock.
 *
 * The hot path of a signed rating asks everything in one statement (`SharedLimit.decide`: the
 * failed-signature counters checked, the device's request and item counters charged) with the
 * library's row semantics, rather than one library call per counter: each round trip costs the
 * intake about as much CPU as the credential lookup it already makes per rating.
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
  /** Schema-qualified and quoted, as the library quotes it. */
  table: string;
  prefix: string;
}

/** Keys refused lately, remembered by a process at most this many per limit (oldest forgotten first). */
const MAX_BLOCKED_KEYS = 10_000;

export class SharedLimit {
  /** Refused keys and when their window ends (epoch ms), when blocking in memory. */
  private readonly blocked = new Map<string, number>();

  constructor(
    private readonly limiter: RateLimiterPostgres,
    readonly points: number,
    private readonly windowMs: number,
    private readonly store: Store,
    private readonly blockInMemory: boolean,
  ) {}

  /** Takes `cost` points; refused (and still counted, so a retrying caller stays refused) past the limit. */
  async consume(key: string, cost = 1): Promise<LimitDecision> {
    const blocked = this.blockedDecision(key);
    if (blocked) return blocked;
    let result: LimitDecision;
    try {
      result = decision(true, await this.limiter.consume(key, cost));
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      result = decision(false, err);
    }
    this.remember(key, result);
    return result;
  }

  /** Whether the key has a point left now, without taking one (for limits charged only on failure). */
  async peek(key: string): Promise<LimitDecision> {
    const blocked = this.blockedDecision(key);
    if (blocked) return blocked;
    const res = await this.limiter.get(key);
    if (!res) return { allowed: true, consumed: 0, msBeforeReset: 0 };
    return decision(res.consumedPoints < this.points, res);
  }

  /** Refused from this process's memory (no round trip), when this key was refused here in its current window. */
  blockedDecision(key: string): LimitDecision | null {
    if (!this.blockInMemory) return null;
    const until = this.blocked.get(key);
    if (until === undefined) return null;
    const ms = until - Date.now();
    if (ms > 0) return { allowed: false, consumed: this.points + 1, msBeforeReset: ms };
    this.blocked.delete(key);
    return null;
  }

  /** Gives back points taken by a consume that turned out not to count (a successful login, a refused request). */
  async reward(key: string, points = 1): Promise<void> {
    await this.limiter.reward(key, points);
  }

  /** Forgets a key: its window starts afresh. */
  async reset(key: string): Promise<void> {
    this.blocked.delete(key);
    await this.limiter.delete(key);
  }

  /**
   * One statement for a request's limits, on the library's rows: refused at once when any `checks` key
   * has used up its limit (nothing is charged then); otherwise each charge takes its points, atomically
   * per row, with the library's window rule (a window that has ended starts afresh with this charge).
   * Keys blocked in this process's memory are refused without a round trip.
   */
  static async decide(checks: Array<[SharedLimit, string]>, charges: Array<[SharedLimit, string, number]>): Promise<Decided> {
    for (const [limit, key] of checks) {
      const blocked = limit.blockedDecision(key);
      if (blocked) return { checked: blocked, charged: [], applied: false };
    }
    for (const [limit, key] of charges) {
      if (limit.blockedDecision(key)) {
        return { checked: null, charged: charges.map(([l, k]) => l.blockedDecision(k) ?? UNCHARGED), applied: false };
      }
    }
    const store = (checks[0] ?? charges[0])?.[0].store;
    if (!store) return { checked: null, charged: [], applied: false };
    const now = Date.now();
    const checkKeys = checks.map(([limit, key]) => `${limit.store.prefix}:${key}`);
    const chargeKeys = charges.map(([limit, key]) => `${limit.store.prefix}:${key}`);
    const { rows } = await store.pool.query<{ checked: boolean; key: string; points: number; expire: string | null }>({
      name: `shared-limits-decide-${checks.length}-${charges.length}`,
      text: decideStatement(store.table, checks.length, charges.length),
      values: [
        ...checks.flatMap(([limit], i) => [checkKeys[i], limit.points]),
        ...charges.flatMap(([limit, , cost], j) => [chargeKeys[j], cost, limit.windowMs]),
        now,
      ],
    });
    const msLeft = (expire: string | null) => (expire === null ? 0 : Math.max(0, Number(expire) - now));
    const usedUp = rows.filter((r) => r.checked);
    if (usedUp.length > 0) {
      const longest = usedUp.reduce((a, b) => (msLeft(a.expire) >= msLeft(b.expire) ? a : b));
      const i = checkKeys.indexOf(longest.key);
      const checked = { allowed: false, consumed: longest.points, msBeforeReset: msLeft(longest.expire) };
      checks[i]![0].remember(checks[i]![1], checked);
      return { checked, charged: [], applied: false };
    }
    const byKey = new Map(rows.map((r) => [r.key, r]));
    const charged = charges.map(([limit, key], i) => {
      const row = byKey.get(chargeKeys[i]!)!;
      const result = { allowed: row.points <= limit.points, consumed: row.points, msBeforeReset: msLeft(row.expire) };
      limit.remember(key, result);
      return result;
    });
    return { checked: null, charged, applied: charges.length > 0 };
  }

  private remember(key: string, result: LimitDecision): void {
    if (!this.blockInMemory || result.allowed || result.msBeforeReset <= 0) return;
    if (this.blocked.size >= MAX_BLOCKED_KEYS) this.blocked.delete(this.blocked.keys().next().value!);
    this.blocked.set(key, Date.now() + result.msBeforeReset);
  }
}

/**
 * The statement of `decide` for `checks` keys to check and `charges` keys to charge, its keys as scalar
 * parameters in VALUES lists (one prepared statement per shape): PostgreSQL then estimates its generic
 * plan (index lookups) as cheap as a custom one and keeps it, instead of planning afresh on every
 * execution — measured ~0.14 ms of backend CPU per decision against ~0.25 ms with array parameters.
 */
function decideStatement(table: string, checks: number, charges: number): string {
  const shape = `${table}|${checks}|${charges}`;
  let text = statements.get(shape);
  if (text === undefined) statements.set(shape, (text = buildDecideStatement(table, checks, charges)));
  return text;
}

const statements = new Map<string, string>();

function buildDecideStatement(table: string, checks: number, charges: number): string {
  const now = `$${2 * checks + 3 * charges + 1}::bigint`;
  const none = `SELECT NULL::varchar AS key, NULL::int AS points, NULL::bigint AS expire WHERE false`;
  const checked = Array.from({ length: checks }, (_, i) => `($${2 * i + 1}::text, $${2 * i + 2}::int)`).join(', ');
  const charged = Array.from({ length: charges }, (_, j) => {
    const p = 2 * checks + 3 * j;
    return `($${p + 1}::text, $${p + 2}::int, $${p + 3}::bigint)`;
  }).join(', ');
  const usedUp = checks
    ? `SELECT r.key, r.points, r.expire FROM ${table} r JOIN (VALUES ${checked}) AS c(key, lim) ON r.key = c.key
        WHERE r.points >= c.lim AND (r.expire > ${now} OR r.expire IS NULL)`
    : none;
  const charge = charges
    ? `INSERT INTO ${table} AS r (key, points, expire)
       SELECT c.key, c.cost, ${now} + c.ms FROM (VALUES ${charged}) AS c(key, cost, ms)
        WHERE NOT EXISTS (SELECT 1 FROM used_up)
       ON CONFLICT (key) DO UPDATE SET
         points = CASE WHEN r.expire <= ${now} THEN excluded.points ELSE r.points + excluded.points END,
         expire = CASE WHEN r.expire <= ${now} THEN excluded.expire ELSE r.expire END
       RETURNING r.key, r.points, r.expire`
    : none;
  return `WITH used_up AS (${usedUp}), charged AS (${charge})
    SELECT true AS checked, key, points, expire FROM used_up
    UNION ALL
    SELECT false, key, points, expire FROM charged`;
}

export interface Decided {
  /** The first used-up `checks` key (then nothing was charged), else null. */
  checked: LimitDecision | null;
  /** Each charge's decision, in order (empty when a check refused). */
  charged: LimitDecision[];
  /** Whether the charges were taken (not when a check refused, nor when a key was refused from memory). */
  applied: boolean;
}

/** A charge not taken because another key of the same decision was refused from memory. */
const UNCHARGED: LimitDecision = { allowed: true, consumed: 0, msBeforeReset: 0 };

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

/** Pools whose expired rows are already swept by a limit of this process (one sweep per table is enough). */
const swept = new WeakSet<object>();

export function sharedLimit(dataSource: DataSource, options: SharedLimitOptions): SharedLimit {
  if (!Number.isInteger(options.points) || options.points < 1) throw new Error(`limit ${options.name} needs at least one point`);
  // TypeORM's postgres driver keeps its pg Pool as `master`; the library queries it like any pg pool.
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  const { schema, table } = rateLimitTable(dataSource);
  const sweep = !swept.has(pool);
  swept.add(pool);
  const duration = Math.max(1, Math.round(options.windowSeconds));
  const limiter = new RateLimiterPostgres({
    storeClient: pool,
    storeType: 'pool',
    schemaName: schema,
    tableName: table,
    tableCreated: true, // by the service's migration
    clearExpiredByTimeout: sweep, // every 5 minutes, rows expired an hour ago
    keyPrefix: options.name,
    points: options.points,
    duration,
  });
  return new SharedLimit(
    limiter,
    options.points,
    duration * 1000,
    { pool, table: `"${schema}"."${table}"`, prefix: options.name },
    !!options.blockInMemory,
  );
}
