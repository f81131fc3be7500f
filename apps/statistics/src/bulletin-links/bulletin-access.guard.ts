import { applyDecorators, type CanActivate, createParamDecorator, type ExecutionContext, Injectable, UseGuards } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { type AuthenticatedRequest, JwtAuthGuard, type Role, Roles, type UserPrincipal } from '#libs/auth';
import { DomainError } from '#libs/common';
import type { BulletinLinkGrant } from './bulletin-link-token.js';
import { BulletinLinksService } from './bulletin-links.service.js';

export interface BulletinRequest extends AuthenticatedRequest {
  /** Set when the bulletin is opened with a shareable link (`link=`) instead of a bearer token. */
  bulletinLink?: BulletinLinkGrant;
}

/** Who reads a bulletin: a signed-in person, or the holder of a link. */
export type BulletinReader = { kind: 'link'; grant: BulletinLinkGrant } | UserPrincipal;

/**
 * The bulletin opens with a bearer token (the roles given), or with a shareable link: `link=<token>` in the query is
 * checked instead of any Authorization header (signature and expiry here; that it opens this very bulletin in the
 * service, once the query is validated).
 */
@Injectable()
export class BulletinAccessGuard implements CanActivate {
  constructor(
    private readonly links: BulletinLinksService,
    private readonly jwt: JwtAuthGuard,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<BulletinRequest>();
    const link = (req.query as Record<string, unknown> | undefined)?.link;
    if (link === undefined) return this.jwt.canActivate(context);
    if (typeof link !== 'string') throw DomainError.validation([{ field: 'link', message: 'must be given once' }]);
    req.bulletinLink = this.links.verify(link);
    return true;
  }
}

/** The route takes a bearer token with one of these roles, or a shareable bulletin link. */
export const BulletinAccess = (...roles: Role[]) => applyDecorators(Roles(...roles), UseGuards(BulletinAccessGuard), ApiBearerAuth());

/** The reader BulletinAccessGuard let in. */
export const CurrentBulletinReader = createParamDecorator((_data: unknown, context: ExecutionContext): BulletinReader => {
  const req = context.switchToHttp().getRequest<BulletinRequest>();
  if (req.bulletinLink) return { kind: 'link', grant: req.bulletinLink };
  if (req.principal?.kind !== 'user') throw new Error('the bulletin was reached without a reader');
  return req.principal;
});
