import type { EntityManager, QueryDeepPartialEntity } from 'typeorm';
import type { UserPrincipal } from '#libs/auth';
import { type AuditAction, AuditEntryEntity } from './accounts.entities.js';

export interface AuditRecord {
  action: AuditAction;
  actorSub?: string | null;
  actorName?: string | null;
  actorRole?: string | null;
  targetUserId?: string | null;
  ip?: string | null;
  detail?: Record<string, unknown>;
  /** The line the console shows, in Chinese. */
  summary?: string | null;
  /** The recording service (intake unless the entry came as gov.audit.recorded). */
  service?: string;
  at?: Date;
}

/**
 * Appends an entry to the audit log inside the caller's transaction, so that the action and its entry
 * commit together. Registry, pairing and import use it directly (no module of theirs depends on accounts).
 */
export async function writeAudit(manager: EntityManager, entry: AuditRecord): Promise<void> {
  await manager.insert(AuditEntryEntity, {
    action: entry.action,
    actorSub: entry.actorSub ?? null,
    actorName: entry.actorName ?? null,
    actorRole: entry.actorRole ?? null,
    targetUserId: entry.targetUserId ?? null,
    ip: entry.ip ?? null,
    detail: entry.detail ?? {},
    summary: entry.summary ?? null,
    service: entry.service ?? 'intake',
    ...(entry.at ? { at: entry.at } : {}),
  } as QueryDeepPartialEntity<AuditEntryEntity>);
}

/** What an admin did, in the transaction of the action; the name is resolved when the log is read. */
export function writeAdminAudit(
  manager: EntityManager,
  actor: UserPrincipal,
  action: AuditAction,
  summary: string,
  detail: Record<string, unknown>,
): Promise<void> {
  return writeAudit(manager, { action, actorSub: actor.sub, actorRole: actor.role, summary, detail });
}
