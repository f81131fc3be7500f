import { type AuditAction, type AuditRecordedData, Events, EventSources, Topics } from '#libs/contracts';
import type { OutboxEntry } from './outbox.service.js';

export interface AuditEntryInit {
  /** The producing service (its CloudEvents source). */
  service: keyof typeof EventSources;
  /** Who acted: only the token's subject and role travel; intake names the person when its log is read. */
  actor: { sub: string; role: string };
  action: AuditAction;
  /** What happened, in Chinese, as the console shows it. */
  summary: string;
  detail: AuditRecordedData['detail'];
  /** The record key: the unit code when there is one, so a unit's entries stay in order. */
  key?: string;
  at?: Date;
}

/**
 * The outbox entry of a person's action for intake's audit log (gov.audit.recorded): written in the
 * transaction of the action, so that the action and its entry commit together.
 */
export function auditOutboxEntry(init: AuditEntryInit): OutboxEntry {
  const at = init.at ?? new Date();
  return {
    topic: Topics.AuditRecorded,
    key: init.key ?? 'audit',
    event: Events.auditRecorded(
      {
        action: init.action,
        actorSub: init.actor.sub,
        actorRole: init.actor.role,
        summary: init.summary,
        detail: init.detail,
        at: at.toISOString(),
      },
      { source: EventSources[init.service], time: at },
    ),
  };
}
