import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import type { Channel, Grade, Stage } from '#libs/contracts';

/**
 * A rating from any channel (PAD, online platform, citizen's phone, provincial platform), or a 12345 transfer stored as a
 * review. One rating per (unit, service record, stage) across channels (一事一评). Personal data only sealed + masked.
 */
@Entity({ name: 'reviews' })
@Index('reviews_matter_stage_uq', ['unitCode', 'serviceRecordId', 'stage'], { unique: true, where: `channel <> 'HOTLINE_12345'` })
@Index('reviews_hotline_client_ticket_uq', ['hotlineClientId', 'ticketId'], { unique: true, where: `channel = 'HOTLINE_12345'` })
@Index('reviews_device_rated_idx', ['deviceId', 'ratedAt'])
@Index('reviews_unit_rated_idx', ['unitCode', 'ratedAt'])
@Index('reviews_suspect_idx', ['unitCode', 'ratedAt'], { where: 'suspect' })
@Index('reviews_contact_retention_idx', ['receivedAt'], { where: 'contact_sealed IS NOT NULL' })
@Index('reviews_burst_rated_idx', ['burstKey', 'ratedAt'], { where: 'burst_key IS NOT NULL' })
@Index('reviews_burst_arrival_idx', ['burstKey', 'receivedAt'], { where: 'live' })
export class ReviewEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'unit_code', type: 'text' })
  unitCode: string;

  @Column({ type: 'text' })
  channel: Channel;

  @Column({ name: 'service_record_id', type: 'text', nullable: true })
  serviceRecordId: string | null;

  /** The stage of the matter rated (一事一评); COMPLETION unless the rating says ACCEPTANCE. */
  @Column({ type: 'text', default: 'COMPLETION' })
  stage: Stage;

  @Column({ name: 'service_item_code', type: 'text', nullable: true })
  serviceItemCode: string | null;

  @Column({ name: 'service_item_name', type: 'text', nullable: true })
  serviceItemName: string | null;

  @Column({ name: 'staff_id', type: 'text', nullable: true })
  staffId: string | null;

  @Column({ name: 'window_no', type: 'text', nullable: true })
  windowNo: string | null;

  @Column({ name: 'device_id', type: 'uuid', nullable: true })
  deviceId: string | null;

  /** The signed platform client that pushed the rating (online platform); null for every other channel. */
  @Column({ name: 'platform_client_id', type: 'uuid', nullable: true })
  platformClientId: string | null;

  /** Whom the 刷评 check counts the rating against: its device, or one key per (platform client, unit). */
  @Column({ name: 'burst_key', type: 'uuid', nullable: true })
  burstKey: string | null;

  @Column({ type: 'smallint', nullable: true })
  level: number | null;

  @Column({ type: 'text' })
  grade: Grade;

  @Column({ type: 'text', array: true, default: () => `'{}'` })
  tags: string[];

  @Column({ type: 'text', nullable: true })
  comment: string | null;

  @Column({ name: 'contact_sealed', type: 'text', nullable: true })
  contactSealed: string | null;

  @Column({ name: 'contact_masked_name', type: 'text', nullable: true })
  contactMaskedName: string | null;

  @Column({ name: 'contact_masked_phone', type: 'text', nullable: true })
  contactMaskedPhone: string | null;

  @Column({ name: 'rated_at', type: 'timestamptz' })
  ratedAt: Date;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt: Date;

  /** A live single rating (POST /ratings): the 刷评 check also counts its arrival. False for batch items and older rows. */
  @Column({ type: 'boolean', default: false })
  live: boolean;

  @Column({ type: 'boolean', default: false })
  suspect: boolean;

  @Column({ name: 'suspect_reason', type: 'text', nullable: true })
  suspectReason: string | null;

  @Column({ name: 'suspect_cleared_at', type: 'timestamptz', nullable: true })
  suspectClearedAt: Date | null;

  @Column({ name: 'suspect_cleared_by', type: 'text', nullable: true })
  suspectClearedBy: string | null;

  /** A supervisor confirmed the 刷评 flag: the rating stays out of every rate and leaves the open suspects. */
  @Column({ name: 'suspect_confirmed_at', type: 'timestamptz', nullable: true })
  suspectConfirmedAt: Date | null;

  @Column({ name: 'suspect_confirmed_by', type: 'text', nullable: true })
  suspectConfirmedBy: string | null;

  /** 12345's own receipt time; `ratedAt`/`receivedAt` of a hotline review are its transferredAt. */
  @Column({ name: 'hotline_received_at', type: 'timestamptz', nullable: true })
  hotlineReceivedAt: Date | null;

  @Column({ name: 'ticket_id', type: 'text', nullable: true })
  ticketId: string | null;

  @Column({ name: 'hotline_client_id', type: 'uuid', nullable: true })
  hotlineClientId: string | null;

  @Column({ type: 'text', nullable: true })
  category: string | null;

  @Column({ name: 'due_at', type: 'timestamptz', nullable: true })
  dueAt: Date | null;

  /** Brought in from a previous platform (POST /imports/ratings). */
  @Column({ type: 'boolean', default: false })
  imported: boolean;

  /** An imported bad review's handling on the previous platform (ReviewHandling): it opened no case. */
  @Column({ type: 'jsonb', nullable: true })
  handling: Record<string, unknown> | null;

  /** When the retention sweep erased the contact (PERSONAL_DATA_RETENTION_DAYS after receipt); null while kept. */
  @Column({ name: 'contact_erased_at', type: 'timestamptz', nullable: true })
  contactErasedAt: Date | null;

  /** SHA-256 of the canonical request body: an identical retry is a duplicate, a different one a conflict. */
  @Column({ name: 'body_hash', type: 'text' })
  bodyHash: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
