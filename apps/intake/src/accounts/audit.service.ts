import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository, SelectQueryBuilder } from 'typeorm';
import type { UserPrincipal } from '#libs/auth';
import { rangeBound } from '#libs/common';
import type { EventOf, EventTypes } from '#libs/contracts';
import { type AuditAction, AuditEntryEntity, UserEntity } from './accounts.entities.js';
import { auditSummaryOf } from './audit-summary.js';
import { type AuditRecord, writeAudit } from './audit-writer.js';
import type { AuditEntryDto, AuditFilter, AuditPageDto, AuditQuery } from './dto/accounts.dto.js';

export type { AuditRecord } from './audit-writer.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An export holds at most this many entries (newest first); narrow the dates for more. */
export const AUDIT_EXPORT_LIMIT = 50_000;

interface AuditRow {
  id: string;
  at: Date;
  action: AuditAction;
  service: string;
  actor_sub: string | null;
  actor_name: string | null;
  actor_role: string | null;
  target_user_id: string | null;
  ip: string | null;
  detail: Record<string, unknown>;
  summary: string | null;
  user_username: string | null;
  user_display_name: string | null;
  user_role: string | null;
}

/**
 * The one audit log of every admin action and every reveal of personal data: intake's own actions are written in
 * their transaction; rectification's and statistics' arrive as gov.audit.recorded events (AuditConsumer). People
 * are named when the log is read, from the accounts (display name and username), never shown as a bare id.
 */
@Injectable()
export class AuditService {
  constructor(
    @InjectRepository(AuditEntryEntity) private readonly entries: Repository<AuditEntryEntity>,
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
  ) {}

  /** Records an entry, inside the caller's transaction when one is given. */
  async record(entry: AuditRecord, manager?: EntityManager): Promise<void> {
    await writeAudit(manager ?? this.entries.manager, entry);
  }

  /** Records what a user did, under the user's name (their username for a console account, else the token's subject). */
  async recordBy(actor: UserPrincipal, action: AuditAction, detail: Record<string, unknown>, manager?: EntityManager): Promise<void> {
    const users = manager ? manager.getRepository(UserEntity) : this.users;
    const account = UUID.test(actor.sub) ? await users.findOneBy({ id: actor.sub }) : null;
    await this.record({ action, actorSub: actor.sub, actorName: account?.username ?? actor.sub, actorRole: actor.role, detail }, manager);
  }

  /** Entries of the other services (gov.audit.recorded), in the inbox transaction that records the events. */
  async applyRecorded(manager: EntityManager, events: Array<EventOf<typeof EventTypes.AuditRecorded>>): Promise<void> {
    for (const event of events) {
      await writeAudit(manager, {
        action: event.data.action,
        actorSub: event.data.actorSub,
        actorRole: event.data.actorRole,
        summary: event.data.summary,
        detail: event.data.detail,
        service: event.source.split('/').at(-1) ?? event.source,
        at: new Date(event.data.at),
      });
    }
  }

  async list(query: AuditQuery): Promise<AuditPageDto> {
    const rows = this.filtered(query)
      .orderBy('a.at', 'DESC')
      .addOrderBy('a.id', 'DESC')
      .offset((query.page - 1) * query.pageSize)
      .limit(query.pageSize);
    const [items, total] = await Promise.all([rows.getRawMany<AuditRow>(), this.filtered(query).getCount()]);
    return { items: items.map(auditView), page: query.page, pageSize: query.pageSize, total };
  }

  /** Every entry the filter selects, newest first (the export), up to AUDIT_EXPORT_LIMIT. */
  async all(filter: AuditFilter): Promise<AuditEntryDto[]> {
    const rows = await this.filtered(filter)
      .orderBy('a.at', 'DESC')
      .addOrderBy('a.id', 'DESC')
      .limit(AUDIT_EXPORT_LIMIT)
      .getRawMany<AuditRow>();
    return rows.map(auditView);
  }

  private filtered(filter: AuditFilter): SelectQueryBuilder<AuditEntryEntity> {
    const q = this.entries
      .createQueryBuilder('a')
      .leftJoin(UserEntity, 'u', 'u.id::text = a.actor_sub')
      .select([
        'a.id AS id',
        'a.at AS at',
        'a.action AS action',
        'a.service AS service',
        'a.actor_sub AS actor_sub',
        'a.actor_name AS actor_name',
        'a.actor_role AS actor_role',
        'a.target_user_id AS target_user_id',
        'a.ip AS ip',
        'a.detail AS detail',
        'a.summary AS summary',
        'u.username AS user_username',
        'u.display_name AS user_display_name',
        'u.role AS user_role',
      ]);
    if (filter.action) q.andWhere('a.action = :action', { action: filter.action });
    if (filter.from) q.andWhere('a.at >= :from', { from: rangeBound(filter.from, 'from')!.at });
    if (filter.to) q.andWhere('a.at < :to', { to: rangeBound(filter.to, 'to')!.at });
    return q;
  }
}

function auditView(row: AuditRow): AuditEntryDto {
  const username = row.user_username ?? (row.actor_sub && UUID.test(row.actor_sub) ? null : row.actor_name);
  return {
    id: String(row.id),
    at: new Date(row.at).toISOString(),
    action: row.action,
    service: row.service,
    actorSub: row.actor_sub,
    actorName: row.user_username ?? row.actor_name,
    actorUsername: username,
    actorDisplayName: row.user_display_name,
    actorRole: row.actor_role ?? row.user_role,
    targetUserId: row.target_user_id,
    ip: row.ip,
    summary: row.summary ?? auditSummaryOf(row.action, row.detail),
    detail: row.detail,
  };
}
