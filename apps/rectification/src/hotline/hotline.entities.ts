import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** Rectification's copy of a 12345 hotline client (from `registry.hotline-clients` events). */
@Entity({ name: 'hotline_clients' })
export class HotlineClientCopy {
  @PrimaryColumn({ name: 'client_id', type: 'uuid' })
  clientId: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ name: 'callback_url', type: 'text', nullable: true })
  callbackUrl: string | null;

  /** Sealed with the shared data key, as it travels in the event. */
  @Column({ name: 'secret_sealed', type: 'text' })
  secretSealed: string;

  @Column({ type: 'boolean', default: false })
  revoked: boolean;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

export type CallbackStatus = 'PENDING' | 'DELIVERED' | 'NO_CALLBACK';

/**
 * The reply to a hotline ticket, written in the transaction that closes the case and POSTed by the
 * dispatcher until acknowledged. One per case; `id` is the stable reply id, `body` is frozen so every
 * retry sends the same bytes.
 */
@Entity({ name: 'hotline_callbacks' })
@Index('hotline_callbacks_case_uq', ['caseId'], { unique: true })
@Index('hotline_callbacks_due_idx', ['nextAttemptAt'], { where: `status = 'PENDING'` })
@Index('hotline_callbacks_client_idx', ['clientId', 'status'])
export class HotlineCallbackEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId: string;

  @Column({ name: 'ticket_id', type: 'text' })
  ticketId: string;

  @Column({ name: 'client_id', type: 'uuid' })
  clientId: string;

  @Column({ type: 'text' })
  body: string;

  @Column({ type: 'text', default: 'PENDING' })
  status: CallbackStatus;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt: Date;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ name: 'last_status', type: 'integer', nullable: true })
  lastStatus: number | null;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt: Date | null;

  /** When the dispatcher last claimed the reply to send it. */
  @Column({ name: 'last_attempt_at', type: 'timestamptz', nullable: true })
  lastAttemptAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
