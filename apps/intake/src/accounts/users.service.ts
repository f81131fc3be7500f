import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, IsNull, Not, type Repository } from 'typeorm';
import { DomainError, ErrorCode, type FieldError } from '#libs/common';
import type { Role, UserPrincipal } from '#libs/auth';
import { UnitsService } from '../registry/units.service.js';
import { passwordProblems } from './account-rules.js';
import { UserEntity } from './accounts.entities.js';
import { AccountsService, userView } from './accounts.service.js';
import { AuditService } from './audit.service.js';
import type { CreateUserDto, PeopleNamesDto, ResetPasswordDto, UpdateUserDto, UserDto } from './dto/accounts.dto.js';
import { LoginThrottle } from './login-throttle.js';
import { hashPassword } from './password-hasher.js';

/** Console accounts as admins manage them; every change is audited. */
@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly dataSource: DataSource,
    private readonly units: UnitsService,
    private readonly accounts: AccountsService,
    private readonly audit: AuditService,
    private readonly throttle: LoginThrottle,
  ) {}

  async list(): Promise<UserDto[]> {
    const rows = await this.users.find({ order: { createdAt: 'ASC', username: 'ASC' } });
    const throttled = await this.throttle.throttledUntil(rows.map((u) => u.username));
    return rows.map((u) => userView(u, throttled.get(u.username) ?? null));
  }

  /** The names of these accounts (any signed-in person may read who acted on a case). */
  async names(ids: string[]): Promise<PeopleNamesDto> {
    const rows = ids.length ? await this.users.findBy({ id: In([...new Set(ids.map((i) => i.toLowerCase()))]) }) : [];
    return { names: rows.map((u) => ({ id: u.id, displayName: u.displayName, role: u.role })) };
  }

  async create(dto: CreateUserDto, actor: UserPrincipal, ip: string | null): Promise<UserDto> {
    const username = dto.username.toLowerCase();
    const errors = [
      ...(await this.unitProblems(dto.role, dto.unitCode ?? null)),
      ...passwordProblems(dto.password, username).map((message) => ({ field: 'password', message })),
    ];
    if (errors.length) throw DomainError.validation(errors);
    if (await this.users.existsBy({ username })) throw new DomainError(ErrorCode.Conflict, `User ${username} already exists.`);
    const passwordHash = await hashPassword(dto.password);
    return this.dataSource.transaction(async (manager) => {
      const user = await manager.save(
        manager.create(UserEntity, {
          username,
          displayName: dto.displayName,
          role: dto.role,
          unitCode: dto.role === 'unit_operator' ? dto.unitCode! : null,
          passwordHash,
          mustChangePassword: true,
        }),
      );
      await this.audit.record(
        {
          action: 'USER_CREATED',
          actorSub: actor.sub,
          actorName: await this.nameOf(actor),
          targetUserId: user.id,
          ip,
          detail: { username, role: user.role, unitCode: user.unitCode },
        },
        manager,
      );
      return userView(user);
    });
  }

  async update(id: string, dto: UpdateUserDto, actor: UserPrincipal, ip: string | null): Promise<UserDto> {
    return this.dataSource.transaction(async (manager) => {
      // Changes that may remove an enabled admin are serialised on one lock, so two concurrent ones (disable
      // one admin, demote the other) see each other: the second finds no other admin left (409 LAST_ADMIN).
      if (dto.disabled === true || (dto.role !== undefined && dto.role !== 'admin')) {
        await manager.query(`SELECT pg_advisory_xact_lock(hashtext('intake.enabled-admins'))`);
      }
      const user = await manager.findOne(UserEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!user) throw DomainError.notFound(`User ${id}`);
      const role = dto.role ?? user.role;
      const unitCode = role === 'unit_operator' ? (dto.unitCode === undefined ? user.unitCode : dto.unitCode) : (dto.unitCode ?? null);
      const errors = await this.unitProblems(role, unitCode);
      if (errors.length) throw DomainError.validation(errors);
      const disabledAt = dto.disabled === undefined ? user.disabledAt : dto.disabled ? (user.disabledAt ?? new Date()) : null;
      if (user.role === 'admin' && (role !== 'admin' || disabledAt) && !user.disabledAt) {
        const otherAdmins = await manager.countBy(UserEntity, { role: 'admin', disabledAt: IsNull(), id: Not(user.id) });
        if (otherAdmins === 0) throw new DomainError(ErrorCode.LastAdmin, 'The last enabled admin cannot be demoted or disabled.');
      }
      const next = { displayName: dto.displayName ?? user.displayName, role, unitCode, disabledAt };
      const changes: Record<string, [unknown, unknown]> = {};
      for (const key of ['displayName', 'role', 'unitCode'] as const) if (next[key] !== user[key]) changes[key] = [user[key], next[key]];
      if ((user.disabledAt === null) !== (disabledAt === null)) changes.disabled = [user.disabledAt !== null, disabledAt !== null];
      if (Object.keys(changes).length === 0) return userView(user);
      await manager.update(UserEntity, { id }, next);
      // A disabled account loses its logins now; a new role or unit makes the tokens issued so far stale on every
      // service (within the session check's cache time), and the next refresh issues tokens with the new claims.
      let sessionVersion = user.sessionVersion;
      if (disabledAt) sessionVersion = await this.accounts.endSessions(manager, id);
      else if (changes.role || changes.unitCode) sessionVersion = await this.accounts.bumpSessionVersion(manager, id);
      await this.audit.record(
        {
          action: 'USER_UPDATED',
          actorSub: actor.sub,
          actorName: await this.nameOf(actor),
          targetUserId: id,
          ip,
          detail: { username: user.username, changes },
        },
        manager,
      );
      return userView({ ...user, ...next, sessionVersion, updatedAt: new Date() });
    });
  }

  async resetPassword(id: string, dto: ResetPasswordDto, actor: UserPrincipal, ip: string | null): Promise<UserDto> {
    const user = await this.users.findOneBy({ id });
    if (!user) throw DomainError.notFound(`User ${id}`);
    const problems = passwordProblems(dto.password, user.username);
    if (problems.length) throw DomainError.validation(problems.map((message) => ({ field: 'password', message })));
    const passwordHash = await hashPassword(dto.password);
    return this.dataSource.transaction(async (manager) => {
      await manager.update(UserEntity, { id }, { passwordHash, mustChangePassword: true });
      const changed = { passwordHash, mustChangePassword: true, sessionVersion: await this.accounts.endSessions(manager, id) };
      await this.throttle.unlock(user.username);
      await this.audit.record(
        {
          action: 'PASSWORD_RESET',
          actorSub: actor.sub,
          actorName: await this.nameOf(actor),
          targetUserId: id,
          ip,
          detail: { username: user.username },
        },
        manager,
      );
      return userView({ ...user, ...changed });
    });
  }

  /** Forgets the failed logins of an account's name from every address, so its owner may sign in again at once. */
  async unlock(id: string, actor: UserPrincipal, ip: string | null): Promise<UserDto> {
    const user = await this.users.findOneBy({ id });
    if (!user) throw DomainError.notFound(`User ${id}`);
    const throttledBefore = (await this.throttle.throttledUntil([user.username])).get(user.username) ?? null;
    const cleared = await this.throttle.unlock(user.username);
    await this.audit.record({
      action: 'ACCOUNT_UNLOCKED',
      actorSub: actor.sub,
      actorName: await this.nameOf(actor),
      targetUserId: id,
      ip,
      detail: { username: user.username, throttledUntil: throttledBefore?.toISOString() ?? null, addresses: cleared },
    });
    return userView(user);
  }

  private async unitProblems(role: Role, unitCode: string | null): Promise<FieldError[]> {
    if (role !== 'unit_operator') {
      return unitCode === null ? [] : [{ field: 'unitCode', message: 'must be empty unless the role is unit_operator' }];
    }
    if (!unitCode) return [{ field: 'unitCode', message: 'is required for a unit_operator' }];
    return (await this.units.findUnit(unitCode)) ? [] : [{ field: 'unitCode', message: `unit ${unitCode} is not registered` }];
  }

  private async nameOf(actor: UserPrincipal): Promise<string> {
    if (!/^[0-9a-f-]{36}$/i.test(actor.sub)) return actor.sub;
    return (await this.users.findOneBy({ id: actor.sub }))?.username ?? actor.sub;
  }
}
