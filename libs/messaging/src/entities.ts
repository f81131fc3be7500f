import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** An event written in the same transaction as the change it describes; the relay publishes it. */
@Entity({ name: 'outbox' })
@Index('outbox_unpublished_idx', ['id'], { where: 'published_at IS NULL' })
export class OutboxMessage {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'event_id', type: 'uuid', unique: true })
  eventId: string;

  @Column({ type: 'text' })
  topic: string;

  @Column({ name: 'message_key', type: 'text' })
  messageKey: string;

  @Column({ type: 'jsonb' })
  payload: object;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt: Date | null;
}

/** An event a consumer has handled (or dead-lettered); the key makes redelivery harmless. */
@Entity({ name: 'processed_events' })
// BRIN (migrations *-InboxRetentionIndex), which TypeORM cannot declare: kept out of its synchronization.
@Index('processed_events_processed_at_brin', { synchronize: false })
export class ProcessedEvent {
  @PrimaryColumn({ type: 'text' })
  consumer: string;

  @PrimaryColumn({ name: 'event_id', type: 'text' })
  eventId: string;

  @Column({ type: 'text', default: 'processed' })
  outcome: 'processed' | 'dead_lettered';

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @CreateDateColumn({ name: 'processed_at', type: 'timestamptz' })
  processedAt: Date;
}

export const MESSAGING_ENTITIES = [OutboxMessage, ProcessedEvent];
