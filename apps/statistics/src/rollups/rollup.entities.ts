import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * What statistics knows of one review and of its case: enough to compute the review's
 * contribution to every rollup, before and after a change. A case event may arrive
 * before its review (different topics), so every review attribute is nullable until
 * `submitted`.
 */
@Entity({ name: 'review_facts' })
@Index('review_facts_problem_category_idx', ['day', 'problemCategory'], { where: 'problem_category IS NOT NULL' })
export class ReviewFactEntity {
  @PrimaryColumn({ name: 'review_id', type: 'uuid' })
  reviewId: string;

  @Column({ type: 'boolean', default: false })
  submitted: boolean;

  @Column({ name: 'unit_code', type: 'text', nullable: true })
  unitCode: string | null;

  /** Shanghai calendar day of ratedAt (PAD) or transferredAt (hotline, carried as ratedAt). */
  @Column({ type: 'date', nullable: true })
  day: string | null;

  @Column({ type: 'text', nullable: true })
  channel: string | null;

  /** 1–5; 0 for a hotline complaint, which has no level. */
  @Column({ type: 'smallint', nullable: true })
  level: number | null;

  @Column({ type: 'text', nullable: true })
  grade: string | null;

  @Column({ type: 'text', array: true, default: () => `'{}'` })
  tags: string[];

  @Column({ name: 'service_item_code', type: 'text', nullable: true })
  serviceItemCode: string | null;

  @Column({ type: 'boolean', default: false })
  suspect: boolean;

  /** Version of the last applied case event; older or equal versions are ignored. */
  @Column({ name: 'case_version', type: 'integer', default: 0 })
  caseVersion: number;

  @Column({ name: 'case_status', type: 'text', nullable: true })
  caseStatus: string | null;

  @Column({ name: 'case_outcome', type: 'text', nullable: true })
  caseOutcome: string | null;

  /** Shanghai day of responseDueAt (always 23:59:59.999 of a working day): due once that day is over. */
  @Column({ name: 'response_due_day', type: 'date', nullable: true })
  responseDueDay: string | null;

  @Column({ type: 'boolean', default: false })
  responded: boolean;

  @Column({ name: 'responded_on_time', type: 'boolean', default: false })
  respondedOnTime: boolean;

  @Column({ type: 'boolean', default: false })
  overdue: boolean;

  /** The 12345 category of a hotline transfer (null for PAD ratings). */
  @Column({ type: 'text', nullable: true })
  category: string | null;

  /** The case's deadline rests on a provisional calendar day (carried by the lifecycle events). */
  @Column({ name: 'deadline_provisional', type: 'boolean', default: false })
  deadlineProvisional: boolean;

  @Column({ name: 'problem_category', type: 'text', nullable: true })
  problemCategory: string | null;
}

/** The grain every rollup shares: one unit's Shanghai calendar day. */
abstract class UnitDayRollup {
  @PrimaryColumn({ name: 'unit_code', type: 'text' })
  unitCode: string;

  @PrimaryColumn({ type: 'date' })
  day: string;
}

/** Reviews by unit × Shanghai day × channel × level (0 = hotline), with the bad-review case counters. */
@Entity({ name: 'review_rollups' })
export class ReviewRollupEntity extends UnitDayRollup {
  @PrimaryColumn({ type: 'text' })
  channel: string;

  @PrimaryColumn({ type: 'smallint' })
  level: number;

  @Column({ type: 'integer', default: 0 })
  reviews: number;

  @Column({ type: 'integer', default: 0 })
  responded: number;

  @Column({ name: 'responded_on_time', type: 'integer', default: 0 })
  respondedOnTime: number;

  @Column({ type: 'integer', default: 0 })
  rectified: number;

  @Column({ type: 'integer', default: 0 })
  open: number;

  @Column({ type: 'integer', default: 0 })
  overdue: number;

  @Column({ name: 'appeals_upheld', type: 'integer', default: 0 })
  appealsUpheld: number;
}

/** Counted bad reviews not yet responded to, by the Shanghai day their response falls due. */
@Entity({ name: 'bad_pending_rollups' })
export class BadPendingRollupEntity extends UnitDayRollup {
  @PrimaryColumn({ name: 'due_day', type: 'date' })
  dueDay: string;

  @Column({ type: 'integer', default: 0 })
  pending: number;
}

@Entity({ name: 'bad_tag_rollups' })
export class BadTagRollupEntity extends UnitDayRollup {
  @PrimaryColumn({ type: 'text' })
  tag: string;

  @Column({ type: 'integer', default: 0 })
  reviews: number;
}

@Entity({ name: 'bad_item_rollups' })
export class BadItemRollupEntity extends UnitDayRollup {
  @PrimaryColumn({ name: 'service_item_code', type: 'text' })
  serviceItemCode: string;

  @Column({ type: 'integer', default: 0 })
  reviews: number;
}

/** One 办不成事 report and its case status. */
@Entity({ name: 'unresolved_facts' })
export class UnresolvedFactEntity {
  @PrimaryColumn({ name: 'report_id', type: 'uuid' })
  reportId: string;

  @Column({ type: 'boolean', default: false })
  submitted: boolean;

  @Column({ name: 'unit_code', type: 'text', nullable: true })
  unitCode: string | null;

  @Column({ type: 'date', nullable: true })
  day: string | null;

  @Column({ name: 'case_version', type: 'integer', default: 0 })
  caseVersion: number;

  @Column({ name: 'case_status', type: 'text', nullable: true })
  caseStatus: string | null;
}

@Entity({ name: 'unresolved_rollups' })
export class UnresolvedRollupEntity extends UnitDayRollup {
  @Column({ type: 'integer', default: 0 })
  total: number;

  @Column({ type: 'integer', default: 0 })
  closed: number;
}

/** 12345 transfers by unit × Shanghai day (of transferredAt) × category: the report's hotline section. */
@Entity({ name: 'hotline_rollups' })
export class HotlineRollupEntity extends UnitDayRollup {
  @PrimaryColumn({ type: 'text' })
  category: string;

  @Column({ type: 'integer', default: 0 })
  total: number;

  @Column({ type: 'integer', default: 0 })
  closed: number;

  @Column({ type: 'integer', default: 0 })
  overdue: number;
}

@Entity({ name: 'units' })
export class StatisticsUnitEntity {
  @PrimaryColumn({ name: 'unit_code', type: 'text' })
  unitCode: string;

  @Column({ name: 'unit_name', type: 'text' })
  unitName: string;
}

@Entity({ name: 'service_items' })
export class ServiceItemEntity {
  @PrimaryColumn({ name: 'service_item_code', type: 'text' })
  serviceItemCode: string;

  @Column({ name: 'service_item_name', type: 'text' })
  serviceItemName: string;
}

/** Counted bad reviews whose case deadline rests on a provisional calendar day (the bulletin's footnote). */
@Entity({ name: 'provisional_deadline_rollups' })
export class ProvisionalDeadlineRollupEntity extends UnitDayRollup {
  @Column({ type: 'integer', default: 0 })
  reviews: number;
}

export const ROLLUP_ENTITIES = [
  ProvisionalDeadlineRollupEntity,
  ReviewFactEntity,
  ReviewRollupEntity,
  BadPendingRollupEntity,
  BadTagRollupEntity,
  BadItemRollupEntity,
  UnresolvedFactEntity,
  UnresolvedRollupEntity,
  HotlineRollupEntity,
  StatisticsUnitEntity,
  ServiceItemEntity,
];
