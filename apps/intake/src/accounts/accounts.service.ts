import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, type EntityManager, IsNull, type Repository } from 'typeorm';
import { DomainError, ErrorCode } from '#libs/common';
import type { UserPrincipal } from '#libs/auth';
import { ACCESS_TOKEN_TTL_S, LOGIN_THROTTLE_MS, passwordProblems, REFRESH_TOKEN_TTL_MS, throttledMessage } from './account-rules.js';
import { RefreshTokenEntity, UserEntity } from './accounts.entities.js';
import { AuditService } from './audit.service.js';
import type { ChangePasswordDto, LoginDto, MeDto, RefreshDto, TokenResponseDto, UserDto } from './dto/accounts.dto.js';
import { LoginThrottle } from './login-throttle.js';
import { decoyHash, hashPassword, passwordMatches } from './password-hasher.js';
import { TokenIssuer } from './token-issuer.js';

/** The name of the first admin account that `npm start` creates. */
export const FIRST_ADMIN = 'admin';

/** The console's view of an account; `throttledUntil`: until when its name is refused from some address. */
export function userView(user: UserEntity, throttledUntil: Date | null = null): UserDto {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    role: user.role,
    unitCode: user.unitCode,
    mustChangePassword: user.mustChangePassword,
    disabled: user.disabledAt !== null,
    lockedUntil: throttledUntil?.toISOString() ?? null,
    lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
    createdAt: user.createdAt.toISOString(),
  };
}

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');
const invalidCredentials = () => new DomainError(ErrorCode.InvalidCredentials, 'The username or password is wrong.');
const invalidRefresh = () => new DomainError(ErrorCode.Unauthenticated, 'The refresh token is invalid, expired or revoked.');

function throttledError(until: Date): DomainError {
  const seconds = Math.max(1, Math.ceil((until.getTime() - Date.now()) / 1000));
  return new DomainError(
    ErrorCode.RateLimited,
    throttledMessage(until),
    [],
    { 'Retry-After': String(seconds) },
    { retryAt: until.toISOString() },
  );
}

/** A one-time password that meets the policy: random, with every character class present. */
export function oneTimePassword(): string {
  return `${randomBytes(12).toString('base64url')}-Pw${randomBytes(1)[0]! % 10}`;
}

/**
 * Console sign-in: login with a password (argon2id) and lockout, short-lived access tokens of the
 * services' JWT shape, refresh tokens kept hashed and rotated (a replayed one revokes its family),
 * logout, password change. Every step is written to the audit log.
 */
@Injectable()
export class AccountsService {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly tokens: TokenIssuer,
    private readonly throttle: LoginThrottle,
  ) {}

  async login(dto: LoginDto, ip: string | null): Promise<TokenResponseDto> {
    const user = await this.verifyPassword(dto.username, dto.password, ip);
    if (user.mustChangePassword) {
      throw new DomainError(ErrorCode.PasswordChangeRequired, 'This is a one-time password: set a new one with POST /auth/password.');
    }
    return this.dataSource.transaction((manager) => this.issue(manager, user, ip));
  }

  async changePassword(dto: ChangePasswordDto, ip: string | null): Promise<TokenResponseDto> {
    const user = await this.verifyPassword(dto.username, dto.currentPassword, ip);
    const problems = passwordProblems(dto.newPassword, user.username);
    if (dto.newPassword === dto.currentPassword) problems.push('新密码不能与当前密码相同');
    if (problems.length) throw DomainError.validation(problems.map((message) => ({ field: 'newPassword', message })));
    const passwordHash = await hashPassword(dto.newPassword);
    return this.dataSource.transaction(async (manager) => {
      await manager.update(UserEntity, { id: user.id }, { passwordHash, mustChangePassword: false });
      const sessionVersion = await this.endSessions(manager, user.id);
      await this.audit.record(
        { action: 'PASSWORD_CHANGED', actorSub: user.id, actorName: user.username, targetUserId: user.id, ip },
        manager,
      );
      return this.issue(manager, { ...user, mustChangePassword: false, sessionVersion }, ip);
    });
  }

  async refresh(dto: RefreshDto, ip: string | null): Promise<TokenResponseDto> {
    const now = new Date();
    const outcome = await this.dataSource.transaction(async (manager) => {
      const token = await manager.findOne(RefreshTokenEntity, {
        where: { tokenHash: sha256(dto.refreshToken) },
        lock: { mode: 'pessimistic_write' },
      });
      if (!token || token.revokedAt) return { error: invalidRefresh() };
      const user = await manager.findOneBy(UserEntity, { id: token.userId });
      if (token.replacedAt) {
        // A token already exchanged is presented again: someone holds a copy. End the whole login.
        await this.revokeFamily(manager, token.familyId, now);
        await this.audit.record(
          { action: 'REFRESH_REUSED', actorSub: token.userId, actorName: user?.username ?? null, targetUserId: token.userId, ip },
          manager,
        );
        return { error: invalidRefresh() };
      }
      if (token.expiresAt.getTime() <= now.getTime() || !user || user.disabledAt || user.mustChangePassword) {
        await this.revokeFamily(manager, token.familyId, now);
        return { error: invalidRefresh() };
      }
      await manager.update(RefreshTokenEntity, { id: token.id }, { replacedAt: now });
      // The user is read afresh: a changed role or unit is in the new access token.
      return { tokens: await this.tokenPair(manager, user, token.familyId, now) };
    });
    if (outcome.error) throw outcome.error;
    return outcome.tokens!;
  }

  async logout(dto: RefreshDto, ip: string | null): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const token = await manager.findOneBy(RefreshTokenEntity, { tokenHash: sha256(dto.refreshToken) });
      if (!token) return;
      if ((await this.revokeFamily(manager, token.familyId, new Date())) === 0) return; // already signed out
      const user = await manager.findOneBy(UserEntity, { id: token.userId });
      await this.audit.record(
        { action: 'LOGOUT', actorSub: token.userId, actorName: user?.username ?? null, targetUserId: token.userId, ip },
        manager,
      );
    });
  }

  async me(principal: UserPrincipal): Promise<MeDto> {
    const user = /^[0-9a-f-]{36}$/i.test(principal.sub) ? await this.users.findOneBy({ id: principal.sub }) : null;
    return { sub: principal.sub, role: principal.role, unitCode: principal.unitCode, user: user ? userView(user) : null };
  }

  /**
   * The first admin of a fresh system, with a one-time password to print. While that admin has never
   * signed in, every start gives it a new one-time password (the printed one may be lost); null once it has.
   */
  async ensureFirstAdmin(): Promise<{ username: string; password: string } | null> {
    const password = oneTimePassword();
    const passwordHash = await hashPassword(password);
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('intake.first-admin'))`);
      const admins = await manager.countBy(UserEntity, { role: 'admin' });
      if (admins === 0) {
        const created = await manager.save(
          manager.create(UserEntity, {
            username: FIRST_ADMIN,
            displayName: '系统管理员',
            role: 'admin',
            unitCode: null,
            passwordHash,
            mustChangePassword: true,
          }),
        );
        await this.audit.record(
          { action: 'USER_CREATED', actorName: 'system', targetUserId: created.id, detail: { username: FIRST_ADMIN, role: 'admin' } },
          manager,
        );
        return { username: FIRST_ADMIN, password };
      }
      const first = await manager.findOneBy(UserEntity, {
        username: FIRST_ADMIN,
        role: 'admin',
        lastLoginAt: IsNull(),
        mustChangePassword: true,
      });
      if (!first) return null;
      await manager.update(UserEntity, { id: first.id }, { passwordHash });
      await this.endSessions(manager, first.id);
      await this.audit.record(
        { action: 'PASSWORD_RESET', actorName: 'system', targetUserId: first.id, detail: { reason: 'first admin not yet signed in' } },
        manager,
      );
      return { username: FIRST_ADMIN, password };
    });
  }

  /**
   * Checks a username and password under the throttle of failed logins. Every wrong answer is the same
   * 401, as slow as an argon2 verification, whether the name is unknown, disabled or has a wrong
   * password; a throttled name or address is refused (429) before any lookup, the same for every name.
   */
  private async verifyPassword(rawUsername: string, password: string, ip: string | null): Promise<UserEntity> {
    const username = rawUsername.trim().toLowerCase();
    const attempt = await this.throttle.attempt(username, ip ?? 'unknown');
    if (!attempt.allowed) throw throttledError(attempt.until!);
    const user = await this.users.findOneBy({ username });
    const matches = await passwordMatches(user?.passwordHash ?? (await decoyHash()), password); // as slow for an unknown name
    if (user && matches && !user.disabledAt) {
      await this.throttle.succeeded(attempt);
      return user;
    }
    const reason = !user ? 'UNKNOWN_USER' : !matches ? 'WRONG_PASSWORD' : 'DISABLED';
    const who = user ? { actorSub: user.id, actorName: user.username, targetUserId: user.id, ip } : { actorName: username, ip };
    await this.dataSource.transaction(async (manager) => {
      await this.audit.record({ ...who, action: 'LOGIN_FAILED', detail: { reason } }, manager);
      if (attempt.lastAllowed) {
        const until = new Date(Date.now() + LOGIN_THROTTLE_MS);
        await this.audit.record({ ...who, action: 'ACCOUNT_LOCKED', detail: { until: until.toISOString(), address: ip } }, manager);
      }
    });
    throw invalidCredentials();
  }

  private async issue(manager: EntityManager, user: UserEntity, ip: string | null): Promise<TokenResponseDto> {
    const now = new Date();
    await manager.update(UserEntity, { id: user.id }, { lastLoginAt: now });
    await this.audit.record({ action: 'LOGIN', actorSub: user.id, actorName: user.username, targetUserId: user.id, ip }, manager);
    return this.tokenPair(manager, { ...user, lastLoginAt: now }, randomUUID(), now);
  }

  private async tokenPair(manager: EntityManager, user: UserEntity, familyId: string, now: Date): Promise<TokenResponseDto> {
    const refreshToken = randomBytes(32).toString('base64url');
    const refreshExpiresAt = new Date(now.getTime() + REFRESH_TOKEN_TTL_MS);
    await manager.insert(RefreshTokenEntity, { userId: user.id, familyId, tokenHash: sha256(refreshToken), expiresAt: refreshExpiresAt });
    const accessToken = this.tokens.sign({
      sub: user.id,
      role: user.role,
      unitCode: user.unitCode ?? undefined,
      name: user.displayName,
      sid: familyId,
      sv: user.sessionVersion,
    });
    return {
      accessToken,
      tokenType: 'Bearer',
      expiresIn: ACCESS_TOKEN_TTL_S,
      refreshToken,
      refreshExpiresAt: refreshExpiresAt.toISOString(),
      user: userView(user),
    };
  }

  /** Revokes a login's tokens; how many were still valid. */
  private async revokeFamily(manager: EntityManager, familyId: string, now: Date): Promise<number> {
    return (await manager.update(RefreshTokenEntity, { familyId, revokedAt: IsNull() }, { revokedAt: now })).affected ?? 0;
  }

  /**
   * Ends every login of a user (password change or reset, account disabled): its refresh tokens are
   * revoked and its access tokens refused by every service within SESSION_CHECK_TTL_MS. The new session version.
   */
  async endSessions(manager: EntityManager, userId: string): Promise<number> {
    await manager.update(RefreshTokenEntity, { userId, revokedAt: IsNull() }, { revokedAt: new Date() });
    return this.bumpSessionVersion(manager, userId);
  }

  /** Makes the access tokens issued so far stale (a role or unit change): a refresh issues current ones. */
  async bumpSessionVersion(manager: EntityManager, userId: string): Promise<number> {
    const [rows] = (await manager.query(`UPDATE users SET session_version = session_version + 1 WHERE id = $1 RETURNING session_version`, [
      userId,
    ])) as [Array<{ session_version: number }>, number];
    return rows[0]!.session_version;
  }
}
