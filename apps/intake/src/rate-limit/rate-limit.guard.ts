import { applyDecorators, type CanActivate, type ExecutionContext, Inject, Injectable, SetMetadata, UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AuthenticatedRequest } from '#libs/auth';
import { DomainError, type Env, ENV, ErrorCode, headerOf, TokenBuckets } from '#libs/common';

/**
 * Per-credential rate limit (429 RATE_LIMITED with Retry-After), keyed by the
 * authenticated device id or hotline client id. Runs after the HMAC guard, so an
 * unauthenticated caller cannot drain a device's bucket.
 *
 * Why not @nestjs/throttler: it is CommonJS and require()s the ESM-only
 * @nestjs/common, which cannot load under jest's ESM mode on Node 20; a token
 * bucket is a few lines and is unit-tested in token-bucket.spec.ts.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly devices: TokenBuckets;
  private readonly clients: TokenBuckets;
  /** Ratings per device per hour, single ratings and batch items alike: the budget counts ratings, not requests. */
  private readonly deviceItems: TokenBuckets;

  /**
   * Limits from INTAKE_DEVICE_RATE/_BURST and INTAKE_CLIENT_RATE/_BURST (requests per second / bucket size) and
   * INTAKE_DEVICE_ITEMS_PER_HOUR. In memory, per process: no database round trip on the hot path.
   */
  constructor(@Inject(ENV) env: Env) {
    this.devices = new TokenBuckets({ ratePerSecond: env.INTAKE_DEVICE_RATE, capacity: env.INTAKE_DEVICE_BURST });
    this.clients = new TokenBuckets({ ratePerSecond: env.INTAKE_CLIENT_RATE, capacity: env.INTAKE_CLIENT_BURST });
    this.deviceItems = new TokenBuckets({
      ratePerSecond: env.INTAKE_DEVICE_ITEMS_PER_HOUR / 3600,
      capacity: env.INTAKE_DEVICE_ITEMS_PER_HOUR,
    });
  }

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = req.principal;
    if (!principal || principal.kind === 'user') return true;
    const result = principal.kind === 'device' ? this.devices.take(principal.deviceId) : this.clients.take(principal.clientId);
    if (!result.allowed) throw limited('Too many requests from this credential; retry later.', result.retryAfterSeconds);
    if (principal.kind === 'device') {
      const items = itemsOf(req.body);
      const budget = this.deviceItems.take(principal.deviceId, items);
      if (!budget.allowed) {
        throw limited(
          `This device's hourly budget of ratings is spent (the request holds ${items}); retry later.`,
          budget.retryAfterSeconds,
        );
      }
    }
    return true;
  }
}

const limited = (detail: string, retryAfterSeconds: number) =>
  new DomainError(ErrorCode.RateLimited, detail, [], { 'Retry-After': String(retryAfterSeconds) });

/** Ratings a device request carries: the items of a batch (`{ ratings: [...] }`), else one. */
function itemsOf(body: unknown): number {
  const ratings = (body as { ratings?: unknown } | null | undefined)?.ratings;
  return Array.isArray(ratings) ? Math.max(1, ratings.length) : 1;
}

/**
 * Apply ABOVE @DeviceAuth()/@HotlineClientAuth(): decorators are applied bottom-up and
 * guards run in the order they were appended, so the HMAC guard runs first.
 */
export const RateLimited = () => UseGuards(RateLimitGuard);

const BODY_LIMIT = 'intake:body-limit';

/** Rejects bodies larger than the route's limit (413) before any validation; the global parser caps everything at 1 MiB. */
@Injectable()
export class BodyLimitGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const limit = this.reflector.get<number | undefined>(BODY_LIMIT, context.getHandler());
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const size = req.rawBody?.length ?? Number(headerOf(req, 'content-length') ?? 0);
    if (limit !== undefined && size > limit) {
      throw new DomainError(ErrorCode.PayloadTooLarge, `The request body exceeds ${limit} bytes.`);
    }
    return true;
  }
}

/** A tighter body size limit for a route (e.g. 16 KiB for one rating). */
export const BodyLimit = (bytes: number) => applyDecorators(SetMetadata(BODY_LIMIT, bytes), UseGuards(BodyLimitGuard));
