import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import { ProblemCategoryEntity } from '../categories/problem-category.entity.js';
import type { CaseOutcome, CaseSource, CaseStatus } from '#libs/contracts';

/** A rectification case (以评促改): one per bad review, hotline complaint or 办不成事 report. */
@Entity({ name: 'cases' })
@Index('cases_review_uq', ['reviewId'], { unique: true, where: 'review_id IS NOT NULL' })
@Index('cases_report_uq', ['reportId'], { unique: true, where: 'report_id IS NOT NULL' })
@Index('cases_unit_opened_idx', ['unitCode', 'openedAt'])
@Index('cases_status_idx', ['status'])
@Index('cases_ticket_idx', ['ticketId'], { where: 'ticket_id IS NOT NULL' })
@Index('cases_open_due_idx', ['rectifyDueAt'], { where: `status NOT IN ('CLOSED')` })
// Descending and expression indexes TypeORM cannot describe: kept by migration 1734700000000 only.
@Index('cases_problem_category_idx', { synchronize: false })
@Index('cases_service_item_idx', { synchronize: false })
export class CaseEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  /** 案件编号 `2026-1207-0001`: Shanghai date of opening and that day's sequence, set by the database (migration 1735200000000). */
  @Index('cases_case_number_uq', { unique: true })
  @Column({ name: 'case_number', type: 'text', insert: false, update: false })
  caseNumber: string;

  @Column({ type: 'text' })
  source: CaseSource;

  @Column({ name: 'unit_code', type: 'text' })
  unitCode: string;

  @Column({ name: 'unit_name', type: 'text' })
  unitName: string;

  @Column({ name: 'review_id', type: 'uuid', nullable: true })
  reviewId: string | null;

  @Column({ name: 'report_id', type: 'uuid', nullable: true })
  reportId: string | null;

  @Column({ name: 'ticket_id', type: 'text', nullable: true })
  ticketId: string | null;

  @Column({ name: 'hotline_client_id', type: 'uuid', nullable: true })
  hotlineClientId: string | null;

  @Column({ type: 'text' })
  status: CaseStatus;

  @Column({ type: 'text', nullable: true })
  outcome: CaseOutcome | null;

  @Column({ name: 'opened_at', type: 'timestamptz' })
  openedAt: Date;

  @Column({ name: 'response_due_at', type: 'timestamptz' })
  responseDueAt: Date;

  @Column({ name: 'rectify_due_at', type: 'timestamptz' })
  rectifyDueAt: Date;

  /** A computed deadline rests on a day of a provisional calendar year (not yet published or confirmed). */
  @Column({ name: 'deadline_provisional', type: 'boolean', default: false })
  deadlineProvisional: boolean;

  @Column({ name: 'responded_at', type: 'timestamptz', nullable: true })
  respondedAt: Date | null;

  @Column({ name: 'responded_on_time', type: 'boolean', nullable: true })
  respondedOnTime: boolean | null;

  @Column({ name: 'rectified_at', type: 'timestamptz', nullable: true })
  rectifiedAt: Date | null;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  @Column({ type: 'boolean', default: false })
  overdue: boolean;

  @Column({ name: 'reopened_count', type: 'integer', default: 0 })
  reopenedCount: number;

  @Column({ name: 'urge_count', type: 'integer', default: 0 })
  urgeCount: number;

  /** Domain state the state machine needs beyond the columns (pending extension, pre-appeal status, overdue kinds). */
  @Column({ type: 'jsonb', default: {} })
  workflow: Record<string, unknown>;

  /** What the citizen said: level, tags, comment, service item, hotline content. */
  @Column({ type: 'jsonb', default: {} })
  matter: Record<string, unknown>;

  @Column({ name: 'contact_sealed', type: 'text', nullable: true })
  contactSealed: string | null;

  @Column({ name: 'contact_masked_name', type: 'text', nullable: true })
  contactMaskedName: string | null;

  @Column({ name: 'contact_masked_phone', type: 'text', nullable: true })
  contactMaskedPhone: string | null;

  /** When the retention sweep erased the contact (PERSONAL_DATA_RETENTION_DAYS after closing); null while it is kept. */
  @Column({ name: 'contact_erased_at', type: 'timestamptz', nullable: true })
  contactErasedAt: Date | null;

  /** The unit chose to publish this closed case as a 以评促改 example (publication/). */
  @Column({ type: 'boolean', default: false })
  publishable: boolean;

  /** The matter as published: the unit's anonymised wording, never the citizen's own text unless the unit wrote it so. */
  @Column({ name: 'published_matter', type: 'text', nullable: true })
  publishedMatter: string | null;

  @Column({ name: 'published_measures', type: 'text', nullable: true })
  publishedMeasures: string | null;

  @Column({ name: 'publication_changed_at', type: 'timestamptz', nullable: true })
  publicationChangedAt: Date | null;

  /** The 问题分类 code chosen at the latest rectify; null for cases not yet rectified or rectified before categories existed. */
  @Column({ name: 'problem_category', type: 'text', nullable: true })
  problemCategory: string | null;

  @ManyToOne(() => ProblemCategoryEntity)
  @JoinColumn({ name: 'problem_category', foreignKeyConstraintName: 'cases_problem_category_fkey' })
  category?: ProblemCategoryEntity;

  @VersionColumn()
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** Append-only history of a case: who did what, when. */
@Entity({ name: 'case_timeline' })
@Index('case_timeline_case_idx', ['caseId', 'id'])
@Index('case_timeline_reveals_idx', ['at', 'id'], { where: `action = 'reveal-contact'` })
export class CaseTimelineEntry {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId: string;

  @Column({ type: 'text' })
  action: string;

  @Column({ type: 'text' })
  actor: string;

  @Column({ name: 'actor_role', type: 'text', nullable: true })
  actorRole: string | null;

  @Column({ type: 'text', nullable: true })
  note: string | null;

  @Column({ type: 'jsonb', default: {} })
  data: Record<string, unknown>;

  @Column({ type: 'timestamptz' })
  at: Date;
}

/** Timeline data key of the sealed originals of masked free text: never shown, opened only by reveal-contact. */
export const SEALED_TEXT = 'sealedText';
