import { applyDecorators, type CanActivate, type ExecutionContext, Injectable, SetMetadata, UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { ApiBearerAuth } from '@nestjs/swagger';
import { DomainError, ErrorCode, headerOf } from '#libs/common';
import type { AuthenticatedRequest } from './hmac-auth.guard.js';
import { type JwtClaims, type Role, ROLES, type UserPrincipal } from './principal.js';

export const ROLES_KEY = 'auth:roles';

/** Bearer JWT (HS256 with JWT_SECRET, or RS256 with JWT_PUBLIC_KEY) and role check. */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = headerOf(req, 'authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new DomainError(ErrorCode.Unauthenticated, 'A bearer token is required.');
    let claims: JwtClaims;
    try {
      claims = await this.jwt.verifyAsync<JwtClaims & object>(match[1]);
    } catch {
      throw new DomainError(ErrorCode.Unauthenticated, 'The bearer token is invalid or expired.');
    }
    if (typeof claims.sub !== 'string' || !ROLES.includes(claims.role) || (claims.role === 'unit_operator' && !claims.unitCode)) {
      throw new DomainError(ErrorCode.Unauthenticated, 'The bearer token lacks valid sub, role or unitCode claims.');
    }
    const principal: UserPrincipal = { kind: 'user', sub: claims.sub, role: claims.role, unitCode: claims.unitCode ?? null };
    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [context.getHandler(), context.getClass()]);
    if (allowed && !allowed.includes(principal.role)) {
      throw new DomainError(ErrorCode.Forbidden, `This action needs one of the roles: ${allowed.join(', ')}.`);
    }
    req.principal = principal;
    return true;
  }
}

/** The route needs a bearer JWT with one of these roles. */
export const Auth = (...roles: Role[]) => applyDecorators(SetMetadata(ROLES_KEY, roles), UseGuards(JwtAuthGuard), ApiBearerAuth());

/**
 * Unit scoping: a unit operator acts only on its own unit; admins and supervisors on all.
 * Throws 403 FORBIDDEN_UNIT otherwise.
 */
export function assertUnitAccess(user: UserPrincipal, unitCode: string): void {
  if (user.role === 'unit_operator' && user.unitCode !== unitCode) {
    throw new DomainError(ErrorCode.ForbiddenUnit, 'This unit is outside your scope.');
  }
}

/** The unit a query is restricted to: a unit operator's own unit, else the requested one (or all). */
export function scopedUnit(user: UserPrincipal, requested: string | undefined): string | undefined {
  if (user.role !== 'unit_operator') return requested;
  if (requested && requested !== user.unitCode) throw new DomainError(ErrorCode.ForbiddenUnit, 'This unit is outside your scope.');
  return user.unitCode!;
}
