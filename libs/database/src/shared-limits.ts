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
 * The hot path of a signed rating asks everything in one decision (`SharedLimit.decide`: the
 * failed-signature counters checked, the device's request and item counters charged) with the
 * library's row semantics, rather than one library call per counter; and the decisions asked while a
 * statement is in flight go together in the next one (`DecisionBatcher`), so that a busy intake makes
 * one statement per group of ratings, as its rating writes do, not one per rating.
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
    readonly windowMs: number,
    readonly store: Store,
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
   * A request's limits, on the library's rows: refused at once when any `checks` key has used up its
   * limit (nothing is charged then); otherwise each charge takes its points, atomically per row, with
   * the library's window rule (a window that has ended starts afresh with this charge). Keys blocked in
   * this process's memory are refused without a round trip; the others go in the store's next statement.
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
    return batcherOf(store).decide(checks, charges);
  }

  /** Refuses the key from memory until its window ends, when this limit blocks in memory and the decision refused it. */
  remember(key: string, result: LimitDecision): void {
    if (!this.blockInMemory || result.allowed || result.msBeforeReset <= 0) return;
    if (this.blocked.size >= MAX_BLOCKED_KEYS) this.blocked.delete(this.blocked.keys().next().value!);
    this.blocked.set(key, Date.now() + result.msBeforeReset);
  }
}

/**
 * The decisions of one store, grouped the way a group commit groups writes: a decision asked when no
 * statement has gone for GROUP_WINDOW_MS goes at once; those asked while one is in flight, or within the
 * window after it, go together in the next. A quiet intake pays no wait; a busy one makes one statement
 * (one round trip, one plan, one transaction) for every few milliseconds of decisions, not one each.
 *
 * Decisions in one statement are applied as if one after another in the order they were asked: a key's
 * charges are summed into one upsert (a row can be updated only once per statement) and each decision
 * reads its own count as the count before the statement plus the charges up to and including its own.
 */
class DecisionBatcher {
  private queue: Pending[] = [];
  private inFlight = false;
  private timer: NodeJS.Timeout | undefined;
  /** When the last statement was sent (performance.now()); a quiet store's first decision goes at once. */
  private lastSentAt = -Infinity;

  constructor(private readonly store: Store) {}

  decide(checks: Array<[SharedLimit, string]>, charges: Array<[SharedLimit, string, number]>): Promise<Decided> {
    return new Promise<Decided>((resolve, reject) => {
      this.queue.push({ checks, charges, resolve, reject });
      this.schedule();
    });
  }

  /** Sends the queue now, or once GROUP_WINDOW_MS have passed since the last statement (at most one in flight). */
  private schedule(): void {
    if (this.inFlight || this.timer || this.queue.length === 0) return;
    const wait = this.lastSentAt + GROUP_WINDOW_MS - performance.now();
    if (wait <= 0) return void this.flush();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, wait);
  }

  private async flush(): Promise<void> {
    this.inFlight = true;
    this.lastSentAt = performance.now();
    const batch = this.queue.splice(0, MAX_BATCH);
    try {
      const decided = await this.run(batch);
      batch.forEach((p, i) => p.resolve(decided[i]!));
    } catch (err) {
      for (const p of batch) p.reject(err);
    } finally {
      this.inFlight = false;
      this.schedule();
    }
  }

  private async run(batch: Pending[]): Promise<Decided[]> {
    const now = Date.now();
    const checks: { req: number[]; key: string[]; lim: number[] } = { req: [], key: [], lim: [] };
    const charges: { req: number[]; key: string[]; cost: number[]; ms: number[] } = { req: [], key: [], cost: [], ms: [] };
    batch.forEach((p, req) => {
      for (const [limit, key] of p.checks) {
        checks.req.push(req);
        checks.key.push(`${limit.store.prefix}:${key}`);
        checks.lim.push(limit.points);
      }
      for (const [limit, key, cost] of p.charges) {
        charges.req.push(req);
        charges.key.push(`${limit.store.prefix}:${key}`);
        charges.cost.push(cost);
        charges.ms.push(limit.windowMs);
      }
    });
    const { rows } = await this.store.pool.query<{ req: number | null; key: string; points: number; expire: string | null }>({
      name: `shared-limits-decide-batch`,
      text: batchStatement(this.store.table),
      values: [checks.req, checks.key, checks.lim, charges.req, charges.key, charges.cost, charges.ms, now],
    });
    const msLeft = (expire: string | null) => (expire === null ? 0 : Math.max(0, Number(expire) - now));
    // Refused by a used-up check: nothing of theirs was charged.
    const refused = new Map<number, Array<{ key: string; points: number; expire: string | null }>>();
    const finals = new Map<string, { points: number; expire: string | null }>();
    for (const row of rows) {
      if (row.req === null) finals.set(row.key, row);
      else refused.set(row.req, [...(refused.get(row.req) ?? []), row]);
    }
    // Each key's count before this statement: its final count less every charge the statement made to it.
    const before = new Map<string, number>();
    charges.key.forEach((key, i) => {
      if (refused.has(charges.req[i]!)) return;
      before.set(key, (before.get(key) ?? finals.get(key)!.points) - charges.cost[i]!);
    });
    return batch.map((p, req) => {
      const usedUp = refused.get(req);
      if (usedUp) {
        const longest = usedUp.reduce((a, b) => (msLeft(a.expire) >= msLeft(b.expire) ? a : b));
        const i = p.checks.findIndex(([limit, key]) => `${limit.store.prefix}:${key}` === longest.key);
        const checked = { allowed: false, consumed: longest.points, msBeforeReset: msLeft(longest.expire) };
        p.checks[i]![0].remember(p.checks[i]![1], checked);
        return { checked, charged: [], applied: false };
      }
      const charged = p.charges.map(([limit, key, cost]) => {
        const full = `${limit.store.prefix}:${key}`;
        const consumed = before.get(full)! + cost;
        before.set(full, consumed);
        const result = { allowed: consumed <= limit.points, consumed, msBeforeReset: msLeft(finals.get(full)!.expire) };
        limit.remember(key, result);
        return result;
      });
      return { checked: null, charged, applied: p.charges.length > 0 };
    });
  }
}

interface Pending {
  checks: Array<[SharedLimit, string]>;
  charges: Array<[SharedLimit, string, number]>;
  resolve: (decided: Decided) => void;
  reject: (err: unknown) => void;
}

/** Decisions per statement at most: a burst larger than this goes in several, one after another. */
const MAX_BATCH = 500;

/**
 * A store sends a statement at most this often: a decision asked within this long of the last statement waits for the
 * rest of the window and goes with the others asked meanwhile. A quiet intake (ratings further apart than this) pays
 * nothing; a busy one pays at most this much latency for one statement per window instead of one per rating (like
 * PostgreSQL's commit_delay or a Kafka producer's linger.ms). Measured in BENCHMARKS.md § Shared limits.
 */
const GROUP_WINDOW_MS = 3;

const batchers = new WeakMap<Pool, Map<string, DecisionBatcher>>();

function batcherOf(store: Store): DecisionBatcher {
  let byTable = batchers.get(store.pool);
  if (!byTable) batchers.set(store.pool, (byTable = new Map<string, DecisionBatcher>()));
  let batcher = byTable.get(store.table);
  if (!batcher) byTable.set(store.table, (batcher = new DecisionBatcher(store)));
  return batcher;
}

/**
 * The statement of a batch of decisions, on the library's rows. `used_up`: the checked keys that have used
 * up their limit (their decision's charges are not taken). The remaining charges are summed per key and
 * upserted in key order (replicas upserting overlapping keys lock them in the same order: no deadlock),
 * with the library's window rule (a window that has ended starts afresh with this charge).
 */
function batchStatement(table: string): string {
  return `WITH checks AS (
      SELECT * FROM unnest($1::int[], $2::text[], $3::int[]) AS c(req, key, lim)
    ), used_up AS (
      SELECT c.req, r.key, r.points, r.expire FROM checks c JOIN ${table} r ON r.key = c.key
       WHERE r.points >= c.lim AND (r.expire > $8::bigint OR r.expire IS NULL)
    ), wanted AS (
      SELECT key, sum(cost)::int AS cost, max(ms) AS ms
        FROM unnest($4::int[], $5::text[], $6::int[], $7::bigint[]) AS w(req, key, cost, ms)
       WHERE NOT EXISTS (SELECT 1 FROM used_up u WHERE u.req = w.req)
       GROUP BY key
    ), charged AS (
      INSERT INTO ${table} AS r (key, points, expire)
      SELECT key, cost, $8::bigint + ms FROM wanted ORDER BY key
      ON CONFLICT (key) DO UPDATE SET
        points = CASE WHEN r.expire <= $8::bigint THEN excluded.points ELSE r.points + excluded.points END,
        expire = CASE WHEN r.expire <= $8::bigint THEN excluded.expire ELSE r.expire END
      RETURNING r.key, r.points, r.expire
    )
    SELECT req, key, points, expire FROM used_up
    UNION ALL
    SELECT NULL, key, points, expire FROM charged`;
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
