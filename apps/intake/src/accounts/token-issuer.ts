import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { type Env, ENV, DomainError, ErrorCode } from '#libs/common';
import type { Role } from '#libs/auth';
import { ACCESS_TOKEN_TTL_S } from './account-rules.js';

export interface AccessClaims {
  sub: string;
  role: Role;
  unitCode?: string;
  name: string;
  /** The login (its refresh-token family) and the account's session version: every service checks both. */
  sid: string;
  sv: number;
}

/**
 * Signs access tokens with the same configuration every service verifies with: HS256 with
 * JWT_SECRET, or RS256 with JWT_PRIVATE_KEY when the services verify with JWT_PUBLIC_KEY.
 */
@Injectable()
export class TokenIssuer {
  constructor(
    private readonly jwt: JwtService,
    @Inject(ENV) private readonly env: Env,
  ) {}

  sign(claims: AccessClaims): string {
    const payload = {
      sub: claims.sub,
      role: claims.role,
      ...(claims.unitCode ? { unitCode: claims.unitCode } : {}),
      name: claims.name,
      sid: claims.sid,
      sv: claims.sv,
    };
    if (this.env.JWT_PUBLIC_KEY) {
      if (!this.env.JWT_PRIVATE_KEY) {
        throw new DomainError(
          ErrorCode.ServiceUnavailable,
          'Console login needs JWT_PRIVATE_KEY when tokens are verified with JWT_PUBLIC_KEY.',
        );
      }
      return this.jwt.sign(payload, { privateKey: this.env.JWT_PRIVATE_KEY, algorithm: 'RS256', expiresIn: ACCESS_TOKEN_TTL_S });
    }
    return this.jwt.sign(payload, { expiresIn: ACCESS_TOKEN_TTL_S });
  }
}
