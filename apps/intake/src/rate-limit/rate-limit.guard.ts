import { applyDecorators, type CanActivate, type ExecutionContext, Inject, Injectable, SetMetadata, UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type AuthenticatedRequest, FAILURE_CHECK_DEFERRED, SignatureFailureThrottle, tooManyFailures } from '#libs/auth';
import { DataSource } from 'typeorm';
import { DomainError, type Env, ENV, ErrorCode, headerOf } from '#libs/common';
import { type LimitDecision, retryAfterSeconds, SharedLimit, sharedLimit } from '#libs/database';

/**
 * Per-credential rate limit (429 RATE_LIMITED with Retry-After), keyed by the
 * authenticated device id or hotline client id. Runs after the HMAC guard, so an
 * unauthenticated caller cannot drain a device's bucket.
 *
 * The counters are shared by every replica (rate-limiter-flexible's PostgreSQL store, see
 * `sharedLimit`): two intakes behind a balancer admit a device's limit once, not twice. One
 * decision per request (SharedLimit.decide) checks the signature guard's failure counters of the
 * id and address and charges the device's request and item counters; the decisions of concurrent
 * requests share one statement. A device that has been refused is refused from this process's
 * memory until its window ends, so a flood costs no database round trip per request.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly devices: SharedLimit;
  private readonly clients: SharedLimit;
  /** Ratings per device per hour, single ratings and batch items alike: the budget counts ratings, not requests. */
  private readonly deviceItems: SharedLimit;

  /**
   * Limits from INTAKE_DEVICE_RATE/_BURST and INTAKE_CLIENT_RATE/_BURST (a window of BURST requests lasting
   * BURST / RATE seconds) and INTAKE_DEVICE_ITEMS_PER_HOUR (a window of an hour).
   */
  constructor(
    @Inject(ENV) env: Env,
    dataSource: DataSource,
    private readonly failures: SignatureFailureThrottle,
  ) {
    const requests = (name: string, rate: number, burst: number) =>
      sharedLimit(dataSource, { name, points: Math.round(burst), windowSeconds: burst / rate, blockInMemory: true });
    this.devices = requests('device-rate', env.INTAKE_DEVICE_RATE, env.INTAKE_DEVICE_BURST);
    this.clients = requests('client-rate', env.INTAKE_CLIENT_RATE, env.INTAKE_CLIENT_BURST);
    this.deviceItems = sharedLimit(dataSource, { name: 'device-items', points: env.INTAKE_DEVICE_ITEMS_PER_HOUR, windowSeconds: 3600 });
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = req.principal;
    if (!principal || principal.kind === 'user') return true;
    // The signature guard left its failure checks to this decision (no round trip of their own).
    const pending = req.pendingFailureCheck;
    const checks = pending ? this.failures.checks(pending.id, pending.address) : [];
    if (principal.kind === 'hotline' || principal.kind === 'platform') {
      const { checked, charged } = await SharedLimit.decide(checks, [[this.clients, principal.clientId, 1]]);
      if (checked) throw tooManyFailures(checked);
      if (!charged[0]!.allowed) throw limited('Too many requests from this credential; retry later.', retryAfterSeconds(charged[0]!));
      return true;
    }
    const items = itemsOf(req.body);
    const decided = await SharedLimit.decide(checks, [
      [this.devices, principal.deviceId, 1],
      [this.deviceItems, principal.deviceId, items],
    ]);
    if (decided.checked) throw tooManyFailures(decided.checked);
    const [rate, budget] = decided.charged as [LimitDecision, LimitDecision];
    // A refused request is not a rating: its items go back to the budget (a batch too big for what is left
    // does not spend the rest). The counter never falls below what was admitted, so the budget still holds.
    if (decided.applied && (!rate.allowed || !budget.allowed)) await this.deviceItems.reward(principal.deviceId, items);
    if (!rate.allowed) throw limited('Too many requests from this credential; retry later.', retryAfterSeconds(rate));
    if (!budget.allowed) {
      throw limited(
        `This device's hourly budget of ratings is spent (the request holds ${items}); retry later.`,
        retryAfterSeconds(budget),
      );
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
export const RateLimited = () => applyDecorators(SetMetadata(FAILURE_CHECK_DEFERRED, true), UseGuards(RateLimitGuard));

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
