import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import type { UserPrincipal } from '#libs/auth';
import { type AuditAction, AuditEntryEntity, UserEntity } from './accounts.entities.js';
import type { AuditEntryDto, AuditPageDto, AuditQuery } from './dto/accounts.dto.js';

export interface AuditRecord {
  action: AuditAction;
  actorSub?: string | null;
  actorName?: string | null;
  targetUserId?: string | null;
  ip?: string | null;
  detail?: Record<string, unknown>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The append-only audit log of logins, account changes and 刷评 decisions (contact reveals are audited by rectification). */
@Injectable()
export class AuditService {
  constructor(
    @InjectRepository(AuditEntryEntity) private readonly entries: Repository<AuditEntryEntity>,
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
  ) {}

  /** Records an entry, inside the caller's transaction when one is given. */
  async record(entry: AuditRecord, manager?: EntityManager): Promise<void> {
    const row = this.entries.create({
      action: entry.action,
      actorSub: entry.actorSub ?? null,
      actorName: entry.actorName ?? null,
      targetUserId: entry.targetUserId ?? null,
      ip: entry.ip ?? null,
      detail: entry.detail ?? {},
    });
    if (manager) await manager.save(row);
    else await this.entries.save(row);
  }

  /** Records what a user did, under the user's name (their username for a console account, else the token's subject). */
  async recordBy(actor: UserPrincipal, action: AuditAction, detail: Record<string, unknown>, manager?: EntityManager): Promise<void> {
    const users = manager ? manager.getRepository(UserEntity) : this.users;
    const account = UUID.test(actor.sub) ? await users.findOneBy({ id: actor.sub }) : null;
    await this.record({ action, actorSub: actor.sub, actorName: account?.username ?? actor.sub, detail }, manager);
  }

  async list(query: AuditQuery): Promise<AuditPageDto> {
    const [rows, total] = await this.entries.findAndCount({
      where: query.action ? { action: query.action } : {},
      order: { at: 'DESC', id: 'DESC' },
      skip: (query.page - 1) * query.pageSize,
      take: query.pageSize,
    });
    return { items: rows.map(auditView), page: query.page, pageSize: query.pageSize, total };
  }
}

function auditView(row: AuditEntryEntity): AuditEntryDto {
  return {
    id: String(row.id),
    at: row.at.toISOString(),
    action: row.action,
    actorSub: row.actorSub,
    actorName: row.actorName,
    targetUserId: row.targetUserId,
    ip: row.ip,
    detail: row.detail,
  };
}
