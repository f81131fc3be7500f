import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PollingWorker } from './worker.js';

/** A piece of scheduled work: run once per tick of `everyMs` by whichever replica claims that tick. */
export interface ScheduledJob {
  /** Unique within the service; the claims are keyed by it. */
  name: string;
  /** Tick length. Ticks are cut from the database's clock, so every replica agrees on them. */
  everyMs: number;
  /**
   * How long a claim holds before another replica may take the tick over (the claimant died or hangs);
   * the work must be safe to run again after that (every job here is: row locks, leases, flags in the rows).
   */
  leaseMs?: number;
  /** The work of one tick; `tick` is the tick's start (database time). */
  run(tick: Date): Promise<unknown>;
}

/** Done claims are kept this long (a day of history for an operator), then deleted. */
const CLAIM_HISTORY = '1 day';
const DEFAULT_LEASE_MS = 60_000;
const TICK_EPOCH = '2000-01-01T00:00:00Z';

/**
 * Scheduled work that runs once per tick across any number of replicas, the way pg-boss's timekeeper and
 * graphile-worker's cron do it: each replica looks for the current tick a few times per tick and claims it
 * with one statement (`INSERT … ON CONFLICT DO UPDATE … WHERE` the earlier claim's lease ran out undone) in
 * the service's `scheduled_ticks` table; the winner runs the job and marks the tick done. A claimant that dies
 * leaves its lease to run out, and the next look of any replica takes the tick over. One primitive for the
 * service's periodic work, on the same PollingWorker as the relay and the bus.
 */
@Injectable()
export class ScheduledJobs implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ScheduledJobs.name);
  private readonly workers = new Map<string, PollingWorker>();
  private started = false;
  /** This replica, in the claims: host and a per-process id. */
  readonly replica = `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;

  constructor(private readonly dataSource: DataSource) {}

  /** Adds a job (from a provider's constructor); it starts with the application. */
  register(job: ScheduledJob): void {
    if (this.workers.has(job.name)) throw new Error(`scheduled job ${job.name} is registered twice`);
    const worker = new PollingWorker({
      name: `scheduled job ${job.name}`,
      // A few looks per tick, so a tick starts soon after it begins and a dead claimant's tick is taken over soon
      // after its lease; never more than 4 a second.
      idleMs: Math.max(250, Math.min(15_000, Math.floor(job.everyMs / 4))),
      logger: this.logger,
      pass: async () => {
        await this.runOnce(job);
        return 'idle';
      },
    });
    this.workers.set(job.name, worker);
    if (this.started) worker.start();
  }

  onApplicationBootstrap(): void {
    if (this.workers.size > 0) this.registerHistoryPruning();
    this.started = true;
    for (const worker of this.workers.values()) worker.start();
  }

  /** Stops looking; a job under way finishes (and marks its tick done) first. */
  async onApplicationShutdown(): Promise<void> {
    this.started = false;
    await Promise.all([...this.workers.values()].map((worker) => worker.stop()));
  }

  /**
   * Claims the current tick of `job` and runs it, unless another replica holds or has done it. Returns the
   * tick run, or null. A failed run gives its claim up at once, so the next look (of any replica) retries it.
   */
  async runOnce(job: ScheduledJob): Promise<Date | null> {
    const leaseMs = job.leaseMs ?? DEFAULT_LEASE_MS;
    const [claim] = await this.dataSource.query<Array<{ tick: Date }>>(
      `INSERT INTO scheduled_ticks AS t (job, tick, claimed_by, lease_until)
       VALUES ($1, date_bin(make_interval(secs => $2::float8 / 1000), now(), $5::timestamptz), $3, now() + make_interval(secs => $4::float8 / 1000))
       ON CONFLICT (job, tick) DO UPDATE
         SET claimed_by = EXCLUDED.claimed_by, lease_until = EXCLUDED.lease_until, claims = t.claims + 1
         WHERE t.done_at IS NULL AND t.lease_until < now()
       RETURNING tick`,
      [job.name, job.everyMs, this.replica, leaseMs, TICK_EPOCH],
    );
    if (!claim) return null;
    try {
      await job.run(claim.tick);
    } catch (err) {
      await this.dataSource
        .query(`UPDATE scheduled_ticks SET lease_until = now() WHERE job = $1 AND tick = $2 AND claimed_by = $3`, [
          job.name,
          claim.tick,
          this.replica,
        ])
        .catch(() => undefined);
      throw err;
    }
    await this.dataSource.query(`UPDATE scheduled_ticks SET done_at = now() WHERE job = $1 AND tick = $2 AND claimed_by = $3`, [
      job.name,
      claim.tick,
      this.replica,
    ]);
    return claim.tick;
  }

  private registerHistoryPruning(): void {
    this.register({
      name: 'scheduled-ticks-history',
      everyMs: 3_600_000,
      run: () => this.dataSource.query(`DELETE FROM scheduled_ticks WHERE tick < now() - interval '${CLAIM_HISTORY}'`),
    });
  }
}
