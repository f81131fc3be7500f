import { applyDecorators, type CanActivate, type ExecutionContext, Inject, Injectable, SetMetadata, UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiExtension, ApiHeader, ApiSecurity } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { DataSource } from 'typeorm';
import { DomainError, type Env, ENV, ErrorCode, headerOf } from '#libs/common';
import { type LimitDecision, retryAfterSeconds, SharedLimit, sharedLimit } from '#libs/database';
import { SIGNATURE_WINDOW_MS, signatureMatches, signRequest } from './hmac.js';
import type { DevicePrincipal, HotlineClientPrincipal, PlatformChannel, PlatformClientPrincipal } from './principal.js';

/**
 * Who signs: a PAD (X-Device-Id), or a signed client (X-Client-Id) — a 12345 hotline, or a platform (online,
 * provincial). Hotline and platform clients are one registry (intake's signed clients); the kind a route
 * accepts decides which of them it lets in.
 */
export type HmacKind = 'device' | 'hotline' | 'platform';

export interface HmacCredential {
  secret: string;
  revoked: boolean;
  principal: DevicePrincipal | HotlineClientPrincipal | PlatformClientPrincipal;
}

/** Provided by the service that owns the credentials (intake's registry). */
export interface HmacCredentialResolver {
  resolve(kind: HmacKind, id: string): Promise<HmacCredential | null>;
}

export const HMAC_CREDENTIALS = Symbol('HMAC_CREDENTIALS');
export const HMAC_KIND = 'hmac:kind';
/** Route metadata: the platform channels a platform-client route accepts (another one's client → 403). */
export const PLATFORM_CHANNELS_KEY = 'hmac:platform-channels';

export interface AuthenticatedRequest extends FastifyRequest {
  rawBody?: Buffer;
  principal?: import('./principal.js').Principal;
  /** Set for a later guard that makes the failure checks of this verified request in its own statement. */
  pendingFailureCheck?: PendingFailureCheck;
}

/**
 * Failed signed requests, counted per credential id and per client address: past
 * AUTH_FAILURES_PER_ID_PER_MINUTE / AUTH_FAILURES_PER_ADDRESS_PER_MINUTE, further attempts
 * are answered 429 RATE_LIMITED (with Retry-After) — with the right secret too, so a guesser cannot
 * tell when it hit. The counts are shared by every replica of the service (its `rate_limits` table,
 * see `sharedLimit`); an id or address found used up is then refused from this process's memory
 * before any credential lookup until its window ends.
 */
@Injectable()
export class SignatureFailureThrottle {
  private readonly ids: SharedLimit;
  private readonly addresses: SharedLimit;

  constructor(
    @Inject(ENV) env: Pick<Env, 'AUTH_FAILURES_PER_ID_PER_MINUTE' | 'AUTH_FAILURES_PER_ADDRESS_PER_MINUTE'>,
    dataSource: DataSource,
  ) {
    const perMinute = (name: string, points: number) => sharedLimit(dataSource, { name, points, windowSeconds: 60, blockInMemory: true });
    this.ids = perMinute('auth-fail-id', env.AUTH_FAILURES_PER_ID_PER_MINUTE);
    this.addresses = perMinute('auth-fail-addr', env.AUTH_FAILURES_PER_ADDRESS_PER_MINUTE);
  }

  /** The checks to make of a request before trusting it (a later guard may fold them into its own statement). */
  checks(id: string, address: string): Array<[SharedLimit, string]> {
    return [
      [this.ids, id],
      [this.addresses, address],
    ];
  }

  /** Throws 429 when this id or address is known in this process to have failed too often (no round trip). */
  assertNotBlocked(id: string, address: string): void {
    for (const [limit, key] of this.checks(id, address)) {
      const blocked = limit.blockedDecision(key);
      if (blocked) throw tooManyFailures(blocked);
    }
  }

  /** Throws 429 when this id or address has failed too often lately. */
  async assertAllowed(id: string, address: string): Promise<void> {
    const { checked } = await SharedLimit.decide(this.checks(id, address), []);
    if (checked) throw tooManyFailures(checked);
  }

  /**
   * Counts a failure, in one statement: when the id or address had already used up its allowance, the
   * failure is not counted and 429 is thrown instead (as the check before the attempt would have).
   */
  async recordFailure(id: string, address: string): Promise<void> {
    const checks = this.checks(id, address);
    const { checked } = await SharedLimit.decide(
      checks,
      checks.map(([limit, key]) => [limit, key, 1]),
    );
    if (checked) throw tooManyFailures(checked);
  }
}

/** The request of a route whose rate-limit guard makes the failure checks in its own statement. */
export interface PendingFailureCheck {
  id: string;
  address: string;
}

export function tooManyFailures(decision: LimitDecision): DomainError {
  return new DomainError(ErrorCode.RateLimited, 'Too many failed signed requests; retry later.', [], {
    'Retry-After': String(retryAfterSeconds(decision)),
  });
}

/**
 * Route metadata: a later guard (intake's rate limit) makes the failure checks of a verified request
 * together with its own counters, in one statement; this guard then only checks its memory first.
 */
export const FAILURE_CHECK_DEFERRED = 'hmac:failure-check-deferred';

/** Verifies HMAC-signed requests from PAD devices or hotline clients. */
@Injectable()
export class HmacAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(HMAC_CREDENTIALS) private readonly credentials: HmacCredentialResolver,
    private readonly failures: SignatureFailureThrottle,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const kind = this.reflector.getAllAndOverride<HmacKind>(HMAC_KIND, [context.getHandler(), context.getClass()]);
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const idHeader = kind === 'device' ? 'x-device-id' : 'x-client-id';
    const id = headerOf(req, idHeader) ?? '';
    const address = req.ip;
    const key = `${kind}:${id}`;
    const deferred = this.reflector.getAllAndOverride<boolean | undefined>(FAILURE_CHECK_DEFERRED, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (deferred) this.failures.assertNotBlocked(key, address);
    else await this.failures.assertAllowed(key, address);
    try {
      req.principal = await this.verify(kind, req, idHeader, id);
    } catch (err) {
      if (err instanceof DomainError) await this.failures.recordFailure(key, address);
      throw err;
    }
    if (deferred) req.pendingFailureCheck = { id: key, address };
    const channels = this.reflector.getAllAndOverride<PlatformChannel[] | undefined>(PLATFORM_CHANNELS_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    const principal = req.principal;
    if (channels && principal?.kind === 'platform' && !channels.includes(principal.channel)) {
      throw new DomainError(ErrorCode.Forbidden, `This route is for ${channels.join(' or ')} platform clients.`);
    }
    return true;
  }

  private async verify(kind: HmacKind, req: AuthenticatedRequest, idHeader: string, id: string): Promise<HmacCredential['principal']> {
    const timestamp = headerOf(req, 'x-timestamp');
    const signature = headerOf(req, 'x-signature');
    if (!id || !timestamp || !signature) {
      throw new DomainError(ErrorCode.Unauthenticated, `Signed requests need ${idHeader}, X-Timestamp and X-Signature headers.`);
    }
    if (!/^\d{1,16}$/.test(timestamp) || Math.abs(Date.now() - Number(timestamp)) > SIGNATURE_WINDOW_MS) {
      throw new DomainError(ErrorCode.TimestampSkew, 'X-Timestamp must be Unix epoch milliseconds within 300 seconds of server time.');
    }
    const credential = await this.credentials.resolve(kind, id);
    const expected = signRequest(credential?.secret ?? 'unknown', req.method, req.url, timestamp, req.rawBody ?? Buffer.alloc(0));
    if (!signatureMatches(expected, signature) || !credential) {
      throw new DomainError(ErrorCode.SignatureInvalid, 'The signature does not match the request.');
    }
    if (credential.revoked) throw new DomainError(ErrorCode.DeviceRevoked, 'This credential has been revoked.');
    return credential.principal;
  }
}

/** The route is called by a registered PAD device (HMAC signed). */
export const DeviceAuth = () =>
  applyDecorators(
    SetMetadata(HMAC_KIND, 'device'),
    UseGuards(HmacAuthGuard),
    ApiSecurity('device-hmac'),
    ApiHeader({ name: 'X-Device-Id', required: true }),
    ApiHeader({ name: 'X-Timestamp', required: true, description: 'Unix epoch milliseconds' }),
    ApiHeader({ name: 'X-Signature', required: true, description: 'v1=<hex HMAC-SHA256>' }),
  );

/** The route is called by a signed client (X-Client-Id) of this kind. */
const SignedClientAuth = (kind: 'hotline' | 'platform', security: string) =>
  applyDecorators(
    SetMetadata(HMAC_KIND, kind),
    UseGuards(HmacAuthGuard),
    ApiSecurity(security),
    ApiHeader({ name: 'X-Client-Id', required: true }),
    ApiHeader({ name: 'X-Timestamp', required: true, description: 'Unix epoch milliseconds' }),
    ApiHeader({ name: 'X-Signature', required: true, description: 'v1=<hex HMAC-SHA256>' }),
  );

/** The route is called by a registered 12345 hotline client (HMAC signed). */
export const HotlineClientAuth = () => SignedClientAuth('hotline', 'hotline-hmac');

/**
 * The route is called by a registered platform client of one of these channels (HMAC signed, as a hotline client); another → 403.
 * The channels are in the route's OpenAPI operation too (`x-platform-channels`).
 */
export const PlatformClientAuth = (...channels: PlatformChannel[]) =>
  applyDecorators(
    SignedClientAuth('platform', 'hotline-hmac'),
    SetMetadata(PLATFORM_CHANNELS_KEY, channels),
    ApiExtension('x-platform-channels', channels),
  );
