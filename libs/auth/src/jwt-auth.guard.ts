import { applyDecorators, type CanActivate, type ExecutionContext, Injectable, SetMetadata, UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { ApiBearerAuth, ApiExtension } from '@nestjs/swagger';
import { DomainError, ErrorCode, headerOf, unstorableText } from '#libs/common';
import type { AuthenticatedRequest } from './hmac-auth.guard.js';
import { type JwtClaims, type Role, ROLES, type UserPrincipal } from './principal.js';
import { SessionCheck } from './session-check.js';

export const ROLES_KEY = 'auth:roles';

/** Clock skew allowed between the token issuer and this service when checking `exp` / `nbf` / `iat` (seconds). */
export const JWT_CLOCK_TOLERANCE_SECONDS = 30;

const invalidClaims = (detail: string) => new DomainError(ErrorCode.Unauthenticated, `The bearer token is invalid: ${detail}.`);

/**
 * The claims of a verified token, typed (API.md § People): `exp` a number (a token without
 * one would be valid forever), `sub`, `role` and `unitCode` plain strings holding storable
 * text (the edge's text guard), `role` a known one, `unitCode` required for a unit operator.
 */
export function typedClaims(raw: Record<string, unknown>): JwtClaims {
  if (typeof raw.exp !== 'number' || !Number.isFinite(raw.exp)) throw invalidClaims('exp is required');
  for (const name of ['sub', 'role', 'unitCode'] as const) {
    const value = raw[name];
    if (value === undefined && name === 'unitCode') continue;
    if (typeof value !== 'string' || !value.trim() || unstorableText(value) || value.length > 128)
      throw invalidClaims(`${name} must be a non-blank plain string`);
  }
  const role = raw.role as Role;
  if (!ROLES.includes(role)) throw invalidClaims('role is unknown');
  if (role === 'unit_operator' && raw.unitCode === undefined) throw invalidClaims('unitCode is required for unit_operator');
  const claims: JwtClaims = {
    sub: raw.sub as string,
    role,
    ...(raw.unitCode !== undefined ? { unitCode: raw.unitCode as string } : {}),
    ...displayName(raw.name),
  };
  // A console login's token names its login and session version; an external issuer's carries neither.
  if (raw.sid === undefined && raw.sv === undefined) return claims;
  if (typeof raw.sid !== 'string' || !UUID.test(raw.sid) || !UUID.test(claims.sub)) throw invalidClaims('sid must be a login id');
  if (typeof raw.sv !== 'number' || !Number.isInteger(raw.sv) || raw.sv < 0 || raw.sv > 2_147_483_647)
    throw invalidClaims('sv must be a session version');
  return { ...claims, session: { sid: raw.sid, sv: raw.sv } };
}

/**
 * The person's display name (`name`, which console logins carry; an external issuer's token may not): optional, but when
 * present a plain string of storable text of at most 128 characters. A blank one counts as absent.
 */
function displayName(value: unknown): { name?: string } {
  if (value === undefined) return {};
  if (typeof value !== 'string' || unstorableText(value) || value.length > 128) throw invalidClaims('name must be a plain string');
  const name = value.trim();
  return name ? { name } : {};
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Bearer JWT (HS256 with JWT_SECRET, or RS256 with JWT_PUBLIC_KEY) and role check. A console login's
 * token is honoured only while its login stands (SessionCheck: at most SESSION_CHECK_TTL_MS stale).
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtService,
    private readonly sessions: SessionCheck,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = headerOf(req, 'authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new DomainError(ErrorCode.Unauthenticated, 'A bearer token is required.');
    let raw: Record<string, unknown>;
    try {
      raw = await this.jwt.verifyAsync<Record<string, unknown>>(match[1]);
    } catch {
      throw new DomainError(ErrorCode.Unauthenticated, 'The bearer token is invalid or expired.');
    }
    const claims = typedClaims(raw);
    if (claims.session && !(await this.sessions.live(claims.sub, claims.session.sid, claims.session.sv))) {
      throw new DomainError(
        ErrorCode.Unauthenticated,
        'The session has ended (signed out, or the account was disabled or changed); refresh or sign in again.',
      );
    }
    const principal: UserPrincipal = {
      kind: 'user',
      sub: claims.sub,
      role: claims.role,
      unitCode: claims.unitCode ?? null,
      ...(claims.name ? { name: claims.name } : {}),
    };
    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [context.getHandler(), context.getClass()]);
    if (allowed && !allowed.includes(principal.role)) {
      throw new DomainError(ErrorCode.Forbidden, `This action needs one of the roles: ${allowed.join(', ')}.`);
    }
    req.principal = principal;
    return true;
  }
}

/**
 * The OpenAPI extension naming the roles a bearer route admits (`x-roles`), written by the same decorator the guard
 * reads: clients and the fuzz suite learn who may call a route from the document, not from a copy of this list.
 */
export const ROLES_EXTENSION = 'x-roles';

/** Route metadata for the roles admitted, and the same list in the route's OpenAPI operation (`x-roles`). */
export const Roles = (...roles: Role[]) => applyDecorators(SetMetadata(ROLES_KEY, roles), ApiExtension(ROLES_EXTENSION, roles));

/** The route needs a bearer JWT with one of these roles (a method's list replaces its controller's). */
export const Auth = (...roles: Role[]) => applyDecorators(Roles(...roles), UseGuards(JwtAuthGuard), ApiBearerAuth());

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
