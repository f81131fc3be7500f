import { applyDecorators, type CanActivate, type ExecutionContext, Injectable, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiSecurity } from '@nestjs/swagger';
import { headerOf } from '#libs/common';
import { type AuthenticatedRequest, HMAC_KIND, HmacAuthGuard } from './hmac-auth.guard.js';
import { JwtAuthGuard, Roles } from './jwt-auth.guard.js';
import type { Role } from './principal.js';

/**
 * A route that a signed PAD device or a person with a bearer token may call: a request
 * carrying X-Device-Id is verified as a device signature, any other as a JWT with one of
 * the roles. Which unit the caller may act on is for the service to check.
 */
@Injectable()
export class DeviceOrUserGuard implements CanActivate {
  constructor(
    private readonly hmac: HmacAuthGuard,
    private readonly jwt: JwtAuthGuard,
  ) {}

  canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    return headerOf(req, 'x-device-id') !== undefined ? this.hmac.canActivate(context) : this.jwt.canActivate(context);
  }
}

/** Signed by a registered PAD device, or a bearer JWT with one of `roles`. */
export const DeviceOrUserAuth = (...roles: Role[]) =>
  applyDecorators(
    SetMetadata(HMAC_KIND, 'device'),
    Roles(...roles),
    UseGuards(DeviceOrUserGuard),
    ApiBearerAuth(),
    ApiSecurity('device-hmac'),
    ApiHeader({ name: 'X-Device-Id', required: false, description: 'With X-Timestamp and X-Signature when a device calls' }),
  );
