import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * Limits that hold across every replica of a service: counters in the service's `rate_limits` table
 * (unlogged: worth nothing after a crash), kept by rate-limiter-flexible's PostgreSQL store on the
 * service's own `pg` pool.
 *
 * Each call of the library is one atomic statement; replicas racing on one key are serialised by its
 * row, so N replicas admit exactly the limit, never N times it. Windows are fixed (`points` per
 * `windowSeconds`, starting at a key's first point), timed by the deciding replica's clock.
 *
 * A request's limits are asked as one decision (`SharedLimit.decide`: a signed request's
 * failed-signature counters checked, its credential's counters charged), decided by the service's
 * `decide_limits` function on the library's rows — one definition of the rule. The decisions asked
 * while a statement is in flight go together in the next one (`DecisionBatcher`); and a PAD rating's
 * decision goes in the statement that writes the rating (`SharedLimit.prepare`, intake's
 * write_pad_ratings_limited), so that it costs no statement of its own.
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
  /** The service's schema, quoted: its `rate_limits` table and `decide_limits` function. */
  schema: string;
  prefix: string;
}

/** A key to find within its limit (not charged): refused when it has used up its points. */
export type Check = [limit: SharedLimit, key: string];
/** Points to take from a key; `refundable` ones are given back when another charge of the decision is refused. */
export type Charge = [limit: SharedLimit, key: string, cost: number, refundable?: boolean];

/** A row of `decide_limits`' answer: the refusing check of a decision, or one of its charges. */
export interface DecisionRow {
  check_idx: number | null;
  charge_idx: number | null;
  allowed: boolean;
  consumed: number;
  ms_left: string | number;
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
   * A request's limits, decided in the store's next statement (decisions asked together share one), or
   * refused at once when a key is blocked in this process's memory. The rule is the service's `decide_limits`
   * (intake's migration LimitDecisionsInTheWrite1735500000000 says it in full).
   */
  static async decide(checks: Check[], charges: Charge[]): Promise<Decided> {
    const prepared = SharedLimit.prepare(checks, charges);
    return prepared instanceof PreparedDecision ? SharedLimit.decidePrepared(prepared) : prepared;
  }

  /** A prepared decision, in the store's next statement of decisions. */
  static decidePrepared(decision: PreparedDecision): Promise<Decided> {
    return batcherOf(decision.store).decide(decision);
  }

  /**
   * A decision ready for `decide_limits` — to go in a statement of its own (`decide`) or in a statement
   * that has other work to do, such as a rating's write — or, when a key is blocked in this process's
   * memory or there is nothing to decide, already decided.
   */
  static prepare(checks: Check[], charges: Charge[]): PreparedDecision | Decided {
    for (const [limit, key] of checks) {
      const blocked = limit.blockedDecision(key);
      if (blocked) return { checked: blocked, charged: [] };
    }
    for (const [limit, key] of charges) {
      if (limit.blockedDecision(key)) {
        return { checked: null, charged: charges.map(([l, k]) => l.blockedDecision(k) ?? UNCHARGED) };
      }
    }
    const store = (checks[0] ?? charges[0])?.[0].store;
    if (!store) return { checked: null, charged: [] };
    return new PreparedDecision(store, checks, charges);
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
 * Decisions in one statement are applied one after another in the order they were asked (`decide_limits`).
 */
class DecisionBatcher {
  private queue: Pending[] = [];
  private inFlight = false;
  private timer: NodeJS.Timeout | undefined;
  /** When the last statement was sent (performance.now()); a quiet store's first decision goes at once. */
  private lastSentAt = -Infinity;

  constructor(private readonly store: Store) {}

  decide(decision: PreparedDecision): Promise<Decided> {
    return new Promise<Decided>((resolve, reject) => {
      this.queue.push({ decision, resolve, reject });
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
    const { rows } = await this.store.pool.query<DecisionRow & { req: number }>({
      name: 'shared-limits-decide',
      text: `SELECT req, check_idx, charge_idx, allowed, consumed, ms_left FROM ${this.store.schema}.decide_limits($1::json, $2::bigint)`,
      values: [JSON.stringify(batch.map((p) => p.decision.wire)), now],
    });
    const byRequest = batch.map((): DecisionRow[] => []);
    for (const row of rows) byRequest[row.req]!.push(row);
    return batch.map((p, req) => p.decision.settle(byRequest[req]!));
  }
}

interface Pending {
  decision: PreparedDecision;
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
  let batcher = byTable.get(store.schema);
  if (!batcher) byTable.set(store.schema, (batcher = new DecisionBatcher(store)));
  return batcher;
}

export interface Decided {
  /** The first used-up `checks` key (then nothing was charged), else null. */
  checked: LimitDecision | null;
  /** Each charge's decision, in order (empty when a check refused). */
  charged: LimitDecision[];
}

/**
 * One request's decision as `decide_limits` (an intake migration, LimitDecisionsInTheWrite) reads it, and
 * what its answer means: `wire` goes in a statement, `settle` reads that decision's rows back (remembering
 * refused keys in memory). The rule lives in that one function, whichever statement carries it.
 */
export class PreparedDecision {
  /** Whether a statement has decided it (its answer read back by `settle`). */
  settled = false;
  readonly wire: { checks: Array<[string, number]>; charges: Array<[string, number, number, number, boolean]> };

  constructor(
    readonly store: Store,
    private readonly checks: Check[],
    private readonly charges: Charge[],
  ) {
    this.wire = {
      checks: checks.map(([limit, key]) => [`${limit.store.prefix}:${key}`, limit.points]),
      charges: charges.map(([limit, key, cost, refundable]) => [
        `${limit.store.prefix}:${key}`,
        cost,
        limit.windowMs,
        limit.points,
        !!refundable,
      ]),
    };
  }

  /** The same decision with its refundable charges taken at no cost: for a request that turned out not to be what they count. */
  withoutRefundableCosts(): PreparedDecision {
    return new PreparedDecision(
      this.store,
      this.checks,
      this.charges.map(([limit, key, cost, refundable]): Charge => [limit, key, refundable ? 0 : cost, refundable]),
    );
  }

  /**
   * The decision from its rows: a refusing check's row alone (nothing charged), else one row per charge. No
   * rows at all — a statement that answers only refused decisions — means every charge was allowed.
   */
  settle(rows: readonly DecisionRow[]): Decided {
    this.settled = true;
    const refusing = rows.find((r) => r.check_idx !== null);
    if (refusing) {
      const [limit, key] = this.checks[refusing.check_idx!]!;
      const checked = { allowed: false, consumed: refusing.consumed, msBeforeReset: Number(refusing.ms_left) };
      limit.remember(key, checked);
      return { checked, charged: [] };
    }
    const charged = this.charges.map(([limit, key], i): LimitDecision => {
      const row = rows.find((r) => r.charge_idx === i);
      if (!row) return { allowed: true, consumed: 0, msBeforeReset: 0 };
      const result = { allowed: row.allowed, consumed: row.consumed, msBeforeReset: Number(row.ms_left) };
      limit.remember(key, result);
      return result;
    });
    return { checked: null, charged };
  }
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
    { pool, schema: `"${schema}"`, prefix: options.name },
    !!options.blockInMemory,
  );
}
