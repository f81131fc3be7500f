/**
 * A token bucket per key (device id, hotline client id): `capacity` requests at once,
 * refilled at `ratePerSecond`. Plain class with an injectable clock, so it is tested
 * without Nest or timers.
 */
export interface TokenBucketOptions {
  ratePerSecond: number;
  capacity: number;
  /** Buckets idle this long are forgotten (they would be full anyway). */
  maxKeys?: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export interface TakeResult {
  allowed: boolean;
  /** Seconds until a token is available again (when refused). */
  retryAfterSeconds: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxKeys: number;

  constructor(
    private readonly options: TokenBucketOptions,
    private readonly now: () => number = Date.now,
  ) {
    if (options.ratePerSecond <= 0 || options.capacity < 1) throw new Error('token bucket needs a positive rate and a capacity ≥ 1');
    this.maxKeys = options.maxKeys ?? 100_000;
  }

  /** Whether `cost` tokens are available now, without taking them (for limits charged only on failure). */
  check(key: string, cost = 1): TakeResult {
    const bucket = this.buckets.get(key);
    if (!bucket) return { allowed: true, retryAfterSeconds: 0 };
    const tokens = Math.min(this.options.capacity, bucket.tokens + ((this.now() - bucket.updatedAt) / 1000) * this.options.ratePerSecond);
    if (tokens >= cost) return { allowed: true, retryAfterSeconds: 0 };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((cost - tokens) / this.options.ratePerSecond)) };
  }

  take(key: string, cost = 1): TakeResult {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxKeys) this.evictFull(now);
      bucket = { tokens: this.options.capacity, updatedAt: now };
      this.buckets.set(key, bucket);
    } else {
      const refill = ((now - bucket.updatedAt) / 1000) * this.options.ratePerSecond;
      bucket.tokens = Math.min(this.options.capacity, bucket.tokens + refill);
      bucket.updatedAt = now;
    }
    if (bucket.tokens >= cost) {
      bucket.tokens -= cost;
      return { allowed: true, retryAfterSeconds: 0 };
    }
    const missing = cost - bucket.tokens;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(missing / this.options.ratePerSecond)) };
  }

  private evictFull(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.options.ratePerSecond >= this.options.capacity) this.buckets.delete(key);
    }
    if (this.buckets.size >= this.maxKeys) this.buckets.clear();
  }
}
