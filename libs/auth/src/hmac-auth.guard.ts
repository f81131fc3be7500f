import { applyDecorators, type CanActivate, type ExecutionContext, Inject, Injectable, SetMetadata, UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiHeader, ApiSecurity } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { DomainError, ErrorCode, headerOf } from '#libs/common';
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

/** Verifies HMAC-signed requests from PAD devices or hotline clients. */
@Injectable()
export class HmacAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(HMAC_CREDENTIALS) private readonly credentials: HmacCredentialResolver,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const kind = this.reflector.getAllAndOverride<HmacKind>(HMAC_KIND, [context.getHandler(), context.getClass()]);
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const idHeader = kind === 'device' ? 'x-device-id' : 'x-client-id';
    const id = headerOf(req, idHeader);
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
    req.principal = credential.principal;
    return true;
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
