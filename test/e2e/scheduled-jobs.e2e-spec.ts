import { DataSource } from 'typeorm';
import { migrateServiceSchema, serviceDataSourceOptions } from '#libs/database';
import { type ScheduledJob, ScheduledJobs } from '#libs/messaging';
import { RECTIFICATION_SCHEMA } from '../../apps/rectification/src/data-source.js';
import { createTestDatabase, eventually, type TestDatabase } from '#libs/testing';

/** A tick as long as ten years: every claim of a test falls in the same one. */
const ONE_TICK = 3650 * 86_400_000;

/**
 * Scheduled work across replicas: two ScheduledJobs, each on a connection pool of its own as two processes
 * would be, share a service's scheduled_ticks: every tick runs once, a claim whose holder hangs or dies is taken
 * over when its lease runs out, and a failed run is retried by the next look.
 */
describe('ScheduledJobs: once per tick across replicas', () => {
  let db: TestDatabase;
  let pools: DataSource[];
  let replicas: ScheduledJobs[];

  beforeAll(async () => {
    db = await createTestDatabase('ticks');
    pools = await Promise.all([0, 1].map(() => new DataSource(serviceDataSourceOptions(RECTIFICATION_SCHEMA, db.url, 3)).initialize()));
    await migrateServiceSchema(pools[0]!, 'rectification');
    replicas = pools.map((pool) => new ScheduledJobs(pool));
  });

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.onApplicationShutdown()));
    await Promise.all(pools.map((p) => p.destroy()));
    await db?.drop();
  });

  const claimOf = async (job: string) =>
    (
      await pools[0]!.query<Array<{ claimed_by: string; claims: number; done: boolean }>>(
        `SELECT claimed_by, claims, done_at IS NOT NULL AS done FROM rectification.scheduled_ticks WHERE job = $1`,
        [job],
      )
    )[0];

  it('two replicas looking four times a tick run each 400 ms tick exactly once, with no tick missed', async () => {
    const runs: Array<{ tick: number; replica: number }> = [];
    replicas.forEach((replica, i) =>
      replica.register({ name: 'count', everyMs: 400, run: async (tick) => void runs.push({ tick: tick.getTime(), replica: i }) }),
    );
    replicas.forEach((r) => r.onApplicationBootstrap());
    await eventually(
      async () => runs.length,
      (n) => n >= 10,
      10_000,
    );
    await Promise.all(replicas.map((r) => r.onApplicationShutdown()));
    const ticks = runs.map((r) => r.tick);
    expect(new Set(ticks).size).toBe(ticks.length);
    const sorted = [...ticks].sort((a, b) => a - b);
    expect(sorted.slice(1).map((t, i) => t - sorted[i]!)).toEqual(Array(sorted.length - 1).fill(400));
    for (const tick of sorted) expect(tick % 400).toBe(0);
  });

  it('a claim whose holder hangs is taken over once its lease runs out; the holder cannot mark it done', async () => {
    let release!: () => void;
    const hanging: ScheduledJob = { name: 'takeover', everyMs: ONE_TICK, leaseMs: 600, run: () => new Promise<void>((r) => (release = r)) };
    const [a, b] = replicas as [ScheduledJobs, ScheduledJobs];
    const held = a.runOnce(hanging);
    await eventually(
      () => claimOf('takeover'),
      (claim) => claim?.claimed_by === a.replica,
    );
    const other: ScheduledJob = { ...hanging, run: async () => undefined };
    await expect(b.runOnce(other)).resolves.toBeNull();
    const taken = await eventually(
      () => b.runOnce(other),
      (tick) => tick !== null,
      5_000,
      100,
    );
    expect(taken!.getTime() % ONE_TICK).toBe(new Date('2000-01-01T00:00:00Z').getTime() % ONE_TICK);
    expect(await claimOf('takeover')).toEqual({ claimed_by: b.replica, claims: 2, done: true });
    release();
    await held;
    expect(await claimOf('takeover')).toEqual({ claimed_by: b.replica, claims: 2, done: true });
    await expect(a.runOnce(other)).resolves.toBeNull();
  });

  it('a failed run gives its claim up at once: the next look of any replica runs the tick again', async () => {
    const [a, b] = replicas as [ScheduledJobs, ScheduledJobs];
    const failing: ScheduledJob = {
      name: 'retry',
      everyMs: ONE_TICK,
      run: async () => {
        throw new Error('database away');
      },
    };
    await expect(a.runOnce(failing)).rejects.toThrow('database away');
    expect(await claimOf('retry')).toEqual({ claimed_by: a.replica, claims: 1, done: false });
    let ran = 0;
    await eventually(
      () => b.runOnce({ ...failing, run: async () => void (ran += 1) }),
      (tick) => tick !== null,
      2_000,
      20,
    );
    expect(ran).toBe(1);
    expect(await claimOf('retry')).toEqual({ claimed_by: b.replica, claims: 2, done: true });
  });
});
