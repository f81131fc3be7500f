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

  /** The Asia/Shanghai day the unit was disabled; null while it is enabled (docs/guide.md § Units). */
  @Column({ name: 'disabled_on', type: 'date', nullable: true })
  disabledOn: string | null;
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

/** Counted bad reviews by the 问题分类 their case was rectified with (the report's analysis.byCategory). */
@Entity({ name: 'bad_category_rollups' })
export class BadCategoryRollupEntity extends UnitDayRollup {
  @PrimaryColumn({ type: 'text' })
  category: string;

  @Column({ type: 'integer', default: 0 })
  reviews: number;
}

/** The 问题分类 names statistics reports by (seeded default set; gov.problem-category.changed). */
@Entity({ name: 'problem_categories' })
export class StatisticsProblemCategoryEntity {
  @PrimaryColumn({ type: 'text' })
  code: string;

  @Column({ name: 'parent_code', type: 'text', nullable: true })
  parentCode: string | null;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'integer', default: 0 })
  sort: number;
}

/** A 类问题 as its latest gov.problem-class.* event tells it. */
@Entity({ name: 'problem_class_facts' })
@Index('problem_class_facts_opened_idx', ['openedDay'])
@Index('problem_class_facts_solved_idx', ['solvedDay'], { where: 'solved_day IS NOT NULL' })
export class ProblemClassFactEntity {
  @PrimaryColumn({ name: 'class_id', type: 'uuid' })
  classId: string;

  @Column({ type: 'integer' })
  version: number;

  @Column({ name: 'category_code', type: 'text' })
  categoryCode: string;

  @Column({ type: 'text' })
  status: string;

  /** Shanghai day of openedAt. */
  @Column({ name: 'opened_day', type: 'date' })
  openedDay: string;

  /** Shanghai day of solvedAt; null while OPEN. */
  @Column({ name: 'solved_day', type: 'date', nullable: true })
  solvedDay: string | null;

  /** The units the class concerns: of its cases and of its actions. */
  @Column({ name: 'unit_codes', type: 'text', array: true, default: () => `'{}'` })
  unitCodes: string[];
}

/** A case of a 类问题, with its unit. */
@Entity({ name: 'problem_class_case_facts' })
export class ProblemClassCaseFactEntity {
  @PrimaryColumn({ name: 'class_id', type: 'uuid' })
  classId: string;

  @PrimaryColumn({ name: 'case_id', type: 'uuid' })
  caseId: string;

  @Column({ name: 'unit_code', type: 'text' })
  unitCode: string;
}

export const ROLLUP_ENTITIES = [
  ProvisionalDeadlineRollupEntity,
  BadCategoryRollupEntity,
  StatisticsProblemCategoryEntity,
  ProblemClassFactEntity,
  ProblemClassCaseFactEntity,
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
