import { applyDecorators, type CanActivate, type ExecutionContext, Inject, Injectable, SetMetadata, UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiHeader, ApiSecurity } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { DataSource } from 'typeorm';
import { DomainError, type Env, ENV, ErrorCode, headerOf } from '#libs/common';
import { retryAfterSeconds, SharedLimit, sharedLimit } from '#libs/database';
import { SIGNATURE_WINDOW_MS, signatureMatches, signRequest } from './hmac.js';
import type { DevicePrincipal, HotlineClientPrincipal } from './principal.js';

export type HmacKind = 'device' | 'hotline';

export interface HmacCredential {
  secret: string;
  revoked: boolean;
  principal: DevicePrincipal | HotlineClientPrincipal;
}

/** Provided by the service that owns the credentials (intake's registry). */
export interface HmacCredentialResolver {
  resolve(kind: HmacKind, id: string): Promise<HmacCredential | null>;
}

export const HMAC_CREDENTIALS = Symbol('HMAC_CREDENTIALS');
export const HMAC_KIND = 'hmac:kind';

export interface AuthenticatedRequest extends FastifyRequest {
  rawBody?: Buffer;
  principal?: import('./principal.js').Principal;
}

/**
 * Failed signed requests, counted per credential id and per client address: past
 * AUTH_FAILURES_PER_ID_PER_MINUTE / AUTH_FAILURES_PER_ADDRESS_PER_MINUTE, further attempts
 * are answered 429 RATE_LIMITED (with Retry-After) before any credential lookup, so guessing
 * a secret or hammering with forged requests costs neither the database nor the real device.
 * The counts are shared by every replica of the service (its `rate_limits` table, see `sharedLimit`).
 */
@Injectable()
export class SignatureFailureThrottle {
  private readonly ids: SharedLimit;
  private readonly addresses: SharedLimit;

  constructor(
    @Inject(ENV) env: Pick<Env, 'AUTH_FAILURES_PER_ID_PER_MINUTE' | 'AUTH_FAILURES_PER_ADDRESS_PER_MINUTE'>,
    dataSource: DataSource,
  ) {
    this.ids = sharedLimit(dataSource, { name: 'auth-fail-id', points: env.AUTH_FAILURES_PER_ID_PER_MINUTE, windowSeconds: 60 });
    this.addresses = sharedLimit(dataSource, {
      name: 'auth-fail-addr',
      points: env.AUTH_FAILURES_PER_ADDRESS_PER_MINUTE,
      windowSeconds: 60,
    });
  }

  /** Throws 429 when this id or address has failed too often lately. */
  async assertAllowed(id: string, address: string): Promise<void> {
    for (const result of await SharedLimit.peekAll([
      [this.ids, id],
      [this.addresses, address],
    ])) {
      if (!result.allowed) {
        throw new DomainError(ErrorCode.RateLimited, 'Too many failed signed requests; retry later.', [], {
          'Retry-After': String(retryAfterSeconds(result)),
        });
      }
    }
  }

  async recordFailure(id: string, address: string): Promise<void> {
    await Promise.all([this.ids.consume(id), this.addresses.consume(address)]);
  }
}

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
    await this.failures.assertAllowed(`${kind}:${id}`, address);
    try {
      req.principal = await this.verify(kind, req, idHeader, id);
      return true;
    } catch (err) {
      if (err instanceof DomainError) await this.failures.recordFailure(`${kind}:${id}`, address);
      throw err;
    }
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

/** The route is called by a registered 12345 hotline client (HMAC signed). */
export const HotlineClientAuth = () =>
  applyDecorators(
    SetMetadata(HMAC_KIND, 'hotline'),
    UseGuards(HmacAuthGuard),
    ApiSecurity('hotline-hmac'),
    ApiHeader({ name: 'X-Client-Id', required: true }),
    ApiHeader({ name: 'X-Timestamp', required: true, description: 'Unix epoch milliseconds' }),
    ApiHeader({ name: 'X-Signature', required: true, description: 'v1=<hex HMAC-SHA256>' }),
  );
