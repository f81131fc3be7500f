import { applyDecorators, type CanActivate, type ExecutionContext, Inject, Injectable, SetMetadata, UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type AuthenticatedRequest, FAILURE_CHECK_DEFERRED, SignatureFailureThrottle, tooManyFailures } from '#libs/auth';
import { DataSource } from 'typeorm';
import { DomainError, type Env, ENV, ErrorCode, headerOf, type ProblemRequest } from '#libs/common';
import {
  type Charge,
  type Decided,
  type LimitDecision,
  PreparedDecision,
  retryAfterSeconds,
  SharedLimit,
  sharedLimit,
} from '#libs/database';

const LIMITS_IN_WRITE = 'intake:limits-in-write';

/** A device request whose limits are decided later, in the statement that writes its rating (`@RateLimited({ inWrite: true })`). */
export interface LimitedRequest extends AuthenticatedRequest, ProblemRequest {
  ratingLimits?: PreparedDecision;
}

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
 *
 * On a route marked `inWrite` (a single PAD rating), the device's decision makes no statement of its
 * own: it is prepared here and rides on the rating's write (RatingsRepository.writeGroup), which refuses
 * the rating when the decision does; a request that ends before its write has its decision made on the
 * way out (`decidedOnTheWayOut`), so every request is counted either way.
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
    private readonly reflector: Reflector,
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
    // A refused request is not a rating: its items go back to the budget (refundable), so a batch too big for
    // what is left does not spend the rest. The request itself still counts against the request rate.
    const charges: Charge[] = [
      [this.devices, principal.deviceId, 1],
      [this.deviceItems, principal.deviceId, items, true],
    ];
    if (this.reflector.get<boolean | undefined>(LIMITS_IN_WRITE, context.getHandler())) {
      const prepared = SharedLimit.prepare(checks, charges);
      if (prepared instanceof PreparedDecision) {
        const rating = req as LimitedRequest;
        rating.ratingLimits = prepared;
        rating.beforeProblem = (err) => decidedOnTheWayOut(prepared, err);
        return true;
      }
      throwIfRefused(prepared, items);
      return true;
    }
    throwIfRefused(await SharedLimit.decide(checks, charges), items);
    return true;
  }
}

/** The 429 of a device request's decision ([request rate, item budget] charged), or null when it was allowed. */
export function limitRefusal(decided: Decided, items: number): DomainError | null {
  if (decided.checked) return tooManyFailures(decided.checked);
  const [rate, budget] = decided.charged as [LimitDecision, LimitDecision];
  if (!rate.allowed) return limited('Too many requests from this credential; retry later.', retryAfterSeconds(rate));
  if (!budget.allowed) {
    return limited(`This device's hourly budget of ratings is spent (the request holds ${items}); retry later.`, retryAfterSeconds(budget));
  }
  return null;
}

function throwIfRefused(decided: Decided, items: number): void {
  const refusal = limitRefusal(decided, items);
  if (refusal) throw refusal;
}

/**
 * A request that ends before its rating's write (a body refused, a disabled unit…) has its limits decided on the
 * way out, before its error is answered (ProblemRequest.beforeProblem): it counts against the device's request rate
 * like any request (answered 429 when that refuses it, as it would have been before its body was read), and,
 * holding no rating, spends nothing of the item budget. Should the decision fail (the database away), the
 * request's own error is the answer.
 */
async function decidedOnTheWayOut(decision: PreparedDecision, err: unknown): Promise<unknown> {
  if (decision.settled) return err;
  const decided = await SharedLimit.decidePrepared(decision.withoutRefundableCosts()).catch(() => null);
  return (decided && limitRefusal(decided, 1)) ?? err;
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
 * guards run in the order they were appended, so the HMAC guard runs first. `inWrite`: a device's
 * decision goes in the statement that writes its rating (the route hands `ratingLimits` to the write).
 */
export const RateLimited = (options: { inWrite?: boolean } = {}) =>
  applyDecorators(
    SetMetadata(FAILURE_CHECK_DEFERRED, true),
    ...(options.inWrite ? [SetMetadata(LIMITS_IN_WRITE, true)] : []),
    UseGuards(RateLimitGuard),
  );

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
