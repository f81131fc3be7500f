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
    await manager.query(
      `INSERT INTO outbox (event_id, topic, message_key, payload)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[])`,
      [list.map((e) => e.event.id), list.map((e) => e.topic), list.map((e) => e.key), list.map((e) => JSON.stringify(e.event))],
    );
    this.notify();
  }

  /** The relay subscribes to be woken when new rows may be ready. */
  onAdded(listener: Listener): void {
    this.listeners.push(listener);
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}
