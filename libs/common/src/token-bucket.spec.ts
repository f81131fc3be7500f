import { TokenBuckets } from './token-bucket.js';

describe('TokenBuckets', () => {
  it('allows a burst of `capacity`, then refuses with Retry-After, then refills at the rate', () => {
    let now = 1_000_000;
    const buckets = new TokenBuckets({ ratePerSecond: 2, capacity: 3 }, () => now);
    expect([1, 2, 3].map(() => buckets.take('d1').allowed)).toEqual([true, true, true]);
    expect(buckets.take('d1')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    now += 499;
    expect(buckets.take('d1').allowed).toBe(false);
    now += 1;
    expect(buckets.take('d1').allowed).toBe(true);
    now += 10_000;
    expect([1, 2, 3, 4].map(() => buckets.take('d1').allowed)).toEqual([true, true, true, false]);
  });

  it('keeps separate buckets per key', () => {
    const now = 0;
    const buckets = new TokenBuckets({ ratePerSecond: 1, capacity: 1 }, () => now);
    expect(buckets.take('a').allowed).toBe(true);
    expect(buckets.take('a').allowed).toBe(false);
    expect(buckets.take('b').allowed).toBe(true);
  });

  it('computes Retry-After from the missing tokens and the rate', () => {
    const buckets = new TokenBuckets({ ratePerSecond: 0.1, capacity: 1 }, () => 0);
    buckets.take('x');
    expect(buckets.take('x')).toEqual({ allowed: false, retryAfterSeconds: 10 });
  });

  it('forgets full buckets when the key limit is reached', () => {
    let now = 0;
    const buckets = new TokenBuckets({ ratePerSecond: 1, capacity: 1, maxKeys: 2 }, () => now);
    buckets.take('a');
    buckets.take('b');
    now += 5_000;
    expect(buckets.take('c').allowed).toBe(true);
    expect(buckets.take('a').allowed).toBe(true);
  });

  it('checks without taking: a limit charged only on failure', () => {
    let now = 0;
    const buckets = new TokenBuckets({ ratePerSecond: 1, capacity: 2 }, () => now);
    expect(buckets.check('k').allowed).toBe(true);
    buckets.take('k');
    buckets.take('k');
    expect(buckets.check('k')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(buckets.check('k')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    now += 1000;
    expect(buckets.check('k').allowed).toBe(true);
  });

  it('rejects a nonsensical configuration', () => {
    expect(() => new TokenBuckets({ ratePerSecond: 0, capacity: 1 })).toThrow();
  });
});
