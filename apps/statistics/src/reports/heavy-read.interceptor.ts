import { type CallHandler, type ExecutionContext, Inject, Injectable, type NestInterceptor, UseInterceptors } from '@nestjs/common';
import { finalize, type Observable } from 'rxjs';
import type { AuthenticatedRequest } from '#libs/auth';
import { DomainError, type Env, ENV, ErrorCode, TokenBuckets } from '#libs/common';

/**
 * Per-caller limits on the heavy reads (reports, exports, bulletins): at most
 * HEAVY_READ_CONCURRENCY in flight and HEAVY_READ_PER_MINUTE per caller (the token's
 * `sub`); beyond either, 429 RATE_LIMITED with Retry-After at once, before any query.
 * So one user firing hundreds of reports cannot take the database from everyone else
 * (PAD ratings included). In memory, per process.
 */
@Injectable()
export class HeavyReadLimit implements NestInterceptor {
  private readonly inFlight = new Map<string, number>();
  private readonly rate: TokenBuckets;
  private readonly concurrency: number;

  constructor(@Inject(ENV) env: Pick<Env, 'HEAVY_READ_CONCURRENCY' | 'HEAVY_READ_PER_MINUTE'>) {
    this.concurrency = env.HEAVY_READ_CONCURRENCY;
    this.rate = new TokenBuckets({ ratePerSecond: env.HEAVY_READ_PER_MINUTE / 60, capacity: env.HEAVY_READ_PER_MINUTE });
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const key = req.principal?.kind === 'user' ? `user:${req.principal.sub}` : `address:${req.ip}`;
    const running = this.inFlight.get(key) ?? 0;
    if (running >= this.concurrency) {
      throw limited(`At most ${this.concurrency} reports at a time per caller; retry when one has finished.`, 1);
    }
    const rate = this.rate.take(key);
    if (!rate.allowed) throw limited('Too many report requests; retry later.', rate.retryAfterSeconds);
    this.inFlight.set(key, running + 1);
    return next.handle().pipe(
      finalize(() => {
        const left = (this.inFlight.get(key) ?? 1) - 1;
        if (left > 0) this.inFlight.set(key, left);
        else this.inFlight.delete(key);
      }),
    );
  }
}

const limited = (detail: string, retryAfterSeconds: number) =>
  new DomainError(ErrorCode.RateLimited, detail, [], { 'Retry-After': String(retryAfterSeconds) });

/** The route is a heavy read: limited per caller (HeavyReadLimit). */
export const HeavyRead = () => UseInterceptors(HeavyReadLimit);
