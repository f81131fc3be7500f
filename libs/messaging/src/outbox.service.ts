import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CloudEvent } from '#libs/contracts';

export interface OutboxEntry {
  topic: string;
  /** Record key: the unit code, so one unit's events stay in order. */
  key: string;
  event: CloudEvent;
}

type Listener = () => void;

/**
 * Writes events in the caller's business transaction. Nothing is sent here: the
 * relay publishes committed rows, so a rollback can never publish a phantom.
 */
@Injectable()
export class OutboxService {
  private readonly listeners: Listener[] = [];

  async add(manager: EntityManager, entries: OutboxEntry | OutboxEntry[]): Promise<void> {
    const list = Array.isArray(entries) ? entries : [entries];
    if (list.length === 0) return;
    // One json parameter: no array-literal escaping of every quote in the payloads (pg's escapeElement),
    // and json_to_recordset is about twice as fast as unnest($::jsonb[]) for a 500-event group.
    await manager.query(
      `INSERT INTO outbox (event_id, topic, message_key, payload)
       SELECT e.id, e.topic, e.key, e.event FROM json_to_recordset($1::json) AS e(id uuid, topic text, key text, event jsonb)`,
      [JSON.stringify(list.map((e) => ({ id: e.event.id, topic: e.topic, key: e.key, event: e.event })))],
    );
    this.notifyAdded();
  }

  /**
   * Wakes the relay. add() does so itself; a writer that inserts outbox rows in its own SQL
   * (a database function, say) calls this once its transaction has committed.
   */
  notifyAdded(): void {
    for (const listener of this.listeners) listener();
  }

  /** The relay subscribes to be woken when new rows may be ready. */
  onAdded(listener: Listener): void {
    this.listeners.push(listener);
  }
}
