import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { firstValueFrom, Subject } from 'rxjs';
import { DomainError } from '#libs/common';
import { HeavyReadLimit } from './heavy-read.interceptor.js';

const contextFor = (sub: string) =>
  ({ switchToHttp: () => ({ getRequest: () => ({ principal: { kind: 'user', sub }, ip: '127.0.0.1' }) }) }) as unknown as ExecutionContext;

describe('HeavyReadLimit', () => {
  it('lets a caller run HEAVY_READ_CONCURRENCY reads at once, refuses the next with 429 at once, and admits again when one ends', async () => {
    const limit = new HeavyReadLimit({ HEAVY_READ_CONCURRENCY: 2, HEAVY_READ_PER_MINUTE: 1000 });
    const pending = [new Subject<string>(), new Subject<string>()];
    const handlers = pending.map((s): CallHandler => ({ handle: () => s.asObservable() }));
    const first = firstValueFrom(limit.intercept(contextFor('a'), handlers[0]!));
    const second = firstValueFrom(limit.intercept(contextFor('a'), handlers[1]!));
    let refused: unknown;
    try {
      limit.intercept(contextFor('a'), { handle: () => new Subject<string>() });
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).code).toBe('RATE_LIMITED');
    expect((refused as DomainError).headers).toEqual({ 'Retry-After': '1' });
    // Another caller is not affected.
    const other = new Subject<string>();
    const otherResult = firstValueFrom(limit.intercept(contextFor('b'), { handle: () => other.asObservable() }));
    other.next('b');
    other.complete();
    await expect(otherResult).resolves.toBe('b');

    pending[0]!.next('one');
    pending[0]!.complete();
    await expect(first).resolves.toBe('one');
    const third = new Subject<string>();
    const thirdResult = firstValueFrom(limit.intercept(contextFor('a'), { handle: () => third.asObservable() }));
    third.next('three');
    third.complete();
    pending[1]!.next('two');
    pending[1]!.complete();
    await expect(Promise.all([second, thirdResult])).resolves.toEqual(['two', 'three']);
  });

  it('releases the slot when the read fails', async () => {
    const limit = new HeavyReadLimit({ HEAVY_READ_CONCURRENCY: 1, HEAVY_READ_PER_MINUTE: 1000 });
    const failing = new Subject<string>();
    const result = firstValueFrom(limit.intercept(contextFor('a'), { handle: () => failing.asObservable() }));
    failing.error(new Error('boom'));
    await expect(result).rejects.toThrow('boom');
    const next = new Subject<string>();
    const ok = firstValueFrom(limit.intercept(contextFor('a'), { handle: () => next.asObservable() }));
    next.next('ok');
    next.complete();
    await expect(ok).resolves.toBe('ok');
  });
});
