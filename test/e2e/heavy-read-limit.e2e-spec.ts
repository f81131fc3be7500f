import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { firstValueFrom, ReplaySubject } from 'rxjs';
import { DataSource } from 'typeorm';
import { migrateServiceSchema, serviceDataSourceOptions } from '#libs/database';
import { HeavyReadLimit } from '../../apps/statistics/src/reports/heavy-read.interceptor.js';
import { STATISTICS_SCHEMA } from '../../apps/statistics/src/data-source.js';
import { createTestDatabase, type TestDatabase } from '#libs/testing';

const contextFor = (sub: string) =>
  ({ switchToHttp: () => ({ getRequest: () => ({ principal: { kind: 'user', sub }, ip: '127.0.0.1' }) }) }) as unknown as ExecutionContext;
/** A read that has not ended: `started` resolves when the limit lets it through to its handler. */
const pending = () => {
  const subject = new ReplaySubject<string>();
  let began!: () => void;
  const started = new Promise<void>((resolve) => (began = resolve));
  const handler: CallHandler = {
    handle: () => {
      began();
      return subject.asObservable();
    },
  };
  return { subject, handler, started, finish: (value: string) => (subject.next(value), subject.complete()) };
};

/**
 * The heavy-read limits of statistics on two replicas (two HeavyReadLimit, each on a pool of its own, one
 * database): the in-flight slots and the per-minute points of a caller are counted together.
 */
describe('HeavyReadLimit across replicas', () => {
  let db: TestDatabase;
  let pools: DataSource[];

  beforeAll(async () => {
    db = await createTestDatabase('heavy_read');
    pools = await Promise.all([0, 1].map(() => new DataSource(serviceDataSourceOptions(STATISTICS_SCHEMA, db.url, 3)).initialize()));
    await migrateServiceSchema(pools[0]!, 'statistics');
  });

  afterAll(async () => {
    await Promise.all(pools.map((p) => p.destroy()));
    await db?.drop();
  });

  const replicas = (concurrency: number, perMinute: number) =>
    pools.map((pool) => new HeavyReadLimit({ HEAVY_READ_CONCURRENCY: concurrency, HEAVY_READ_PER_MINUTE: perMinute }, pool)) as [
      HeavyReadLimit,
      HeavyReadLimit,
    ];

  it('lets a caller run HEAVY_READ_CONCURRENCY reads at once over both replicas, refuses the next with 429, and admits again when one ends', async () => {
    const [a, b] = replicas(2, 1000);
    const [one, two] = [pending(), pending()];
    const first = firstValueFrom(a.intercept(contextFor('u1'), one.handler));
    const second = firstValueFrom(b.intercept(contextFor('u1'), two.handler));
    await Promise.all([one.started, two.started]);
    await expect(firstValueFrom(a.intercept(contextFor('u1'), pending().handler))).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      headers: { 'Retry-After': '1' },
    });
    await expect(firstValueFrom(b.intercept(contextFor('u1'), pending().handler))).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    // Another caller is not affected.
    const other = pending();
    const otherResult = firstValueFrom(b.intercept(contextFor('u2'), other.handler));
    other.finish('other');
    await expect(otherResult).resolves.toBe('other');

    one.finish('one');
    await expect(first).resolves.toBe('one');
    // The slot is given back before the answer leaves: the caller's next read is admitted at once.
    const three = pending();
    three.finish('three');
    const third = await firstValueFrom(b.intercept(contextFor('u1'), three.handler));
    two.finish('two');
    expect(third).toBe('three');
    await expect(second).resolves.toBe('two');
  });

  it('gives the slot back when the read fails', async () => {
    const [a, b] = replicas(1, 1000);
    const failing = pending();
    const result = firstValueFrom(a.intercept(contextFor('u3'), failing.handler));
    await failing.started;
    failing.subject.error(new Error('boom'));
    await expect(result).rejects.toThrow('boom');
    // The slot is given back before the error leaves: the next read, on the other replica, finds it free.
    const next = pending();
    next.finish('ok');
    const ok = await firstValueFrom(b.intercept(contextFor('u3'), next.handler));
    expect(ok).toBe('ok');
  });

  it('never refuses a caller who reads one report after another, at a concurrency of one over both replicas', async () => {
    const [a, b] = replicas(1, 1000);
    const answers: string[] = [];
    for (let i = 0; i < 20; i++) {
      const read = pending();
      read.finish(`r${i}`);
      answers.push(
        await firstValueFrom((i % 2 ? b : a).intercept(contextFor('u5'), read.handler)).then(
          String,
          (err: { code?: string }) => err.code ?? 'error',
        ),
      );
    }
    expect(answers).toEqual(Array.from({ length: 20 }, (_, i) => `r${i}`));
  });

  it('counts the per-minute reads of a caller on both replicas together', async () => {
    const [a, b] = replicas(10, 5);
    const answers: string[] = [];
    for (let i = 0; i < 7; i++) {
      const read = pending();
      const result = firstValueFrom((i % 2 ? b : a).intercept(contextFor('u4'), read.handler));
      read.finish(`r${i}`);
      answers.push(await result.then(String, (err: { code?: string }) => err.code ?? 'error'));
    }
    expect(answers).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'RATE_LIMITED', 'RATE_LIMITED']);
  });
});
