import { type CallHandler, type ExecutionContext, Inject, Injectable, type NestInterceptor, UseInterceptors } from '@nestjs/common';
import { catchError, concatMap, finalize, from, type Observable, switchMap } from 'rxjs';
import { DataSource } from 'typeorm';
import { DomainError, type Env, ENV, ErrorCode } from '#libs/common';
import { type SharedLimit, sharedLimit } from '#libs/database';
import type { BulletinRequest } from '../bulletin-links/bulletin-access.guard.js';

/**
 * How long an in-flight slot is held when its release never comes (the replica died mid-read): the window of
 * the in-flight counter. A read that lasts longer is not counted past it.
 */
const IN_FLIGHT_WINDOW_SECONDS = 120;

/**
 * Per-caller limits on the heavy reads (reports, exports, bulletins): at most HEAVY_READ_CONCURRENCY in flight
 * and HEAVY_READ_PER_MINUTE per caller (the token's `sub`, a shared bulletin link's id, else the address); beyond either, 429 RATE_LIMITED with
 * Retry-After at once, before any query. So one user firing hundreds of reports cannot take the database from
 * everyone else (PAD ratings included). Both counters are in the shared store (statistics' `rate_limits`), so
 * they hold across every statistics replica: a slot is taken before the read and given back after it, whatever
 * its end; a slot a dead replica held frees itself when its window ends.
 */
@Injectable()
export class HeavyReadLimit implements NestInterceptor {
  private readonly inFlight: SharedLimit;
  private readonly perMinute: SharedLimit;

  constructor(@Inject(ENV) env: Pick<Env, 'HEAVY_READ_CONCURRENCY' | 'HEAVY_READ_PER_MINUTE'>, dataSource: DataSource) {
    this.inFlight = sharedLimit(dataSource, {
      name: 'heavy-read-in-flight',
      points: env.HEAVY_READ_CONCURRENCY,
      windowSeconds: IN_FLIGHT_WINDOW_SECONDS,
    });
    this.perMinute = sharedLimit(dataSource, {
      name: 'heavy-read',
      points: env.HEAVY_READ_PER_MINUTE,
      windowSeconds: 60,
      blockInMemory: true,
    });
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<BulletinRequest>();
    const key =
      req.principal?.kind === 'user' ? `user:${req.principal.sub}` : req.bulletinLink ? `link:${req.bulletinLink.id}` : `address:${req.ip}`;
    // The slot goes back exactly once, and before the answer leaves (a caller that sends its next report the moment
    // it has this one must find the slot free); on an error too, and when the caller goes away mid-read.
    let released: Promise<void> | undefined;
    const release = () => (released ??= this.inFlight.reward(key).catch(() => undefined));
    return from(this.admit(key)).pipe(
      switchMap(() =>
        next.handle().pipe(
          concatMap(async (value: unknown) => {
            await release();
            return value;
          }),
          catchError(async (err: unknown) => {
            await release();
            throw err;
          }),
          finalize(() => void release()),
        ),
      ),
    );
  }

  /** Takes an in-flight slot and a point of the minute, or refuses (giving the slot back). */
  private async admit(key: string): Promise<void> {
    const slot = await this.inFlight.consume(key);
    if (!slot.allowed) {
      await this.inFlight.reward(key);
      throw limited(`At most ${this.inFlight.points} reports at a time per caller; retry when one has finished.`, 1);
    }
    const rate = await this.perMinute.consume(key).catch(async (err: unknown) => {
      await this.inFlight.reward(key);
      throw err;
    });
    if (!rate.allowed) {
      await this.inFlight.reward(key);
      throw limited('Too many report requests; retry later.', Math.max(1, Math.ceil(rate.msBeforeReset / 1000)));
    }
  }
}

const limited = (detail: string, retryAfterSeconds: number) =>
  new DomainError(ErrorCode.RateLimited, detail, [], { 'Retry-After': String(retryAfterSeconds) });

/** The route is a heavy read: limited per caller (HeavyReadLimit). */
export const HeavyRead = () => UseInterceptors(HeavyReadLimit);
