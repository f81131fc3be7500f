import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { ImprovementActionStatus, ProblemClassStatus } from '#libs/contracts';
import { CaseEntity } from '../cases/case.entity.js';
import { ProblemCategoryEntity } from '../categories/problem-category.entity.js';

/** A 类问题: cases of any unit that share one problem, of one 问题分类 (migration 1735100000000). */
@Entity({ name: 'problem_classes' })
@Index('problem_classes_status_idx', ['status', 'openedAt'])
@Check('problem_classes_status_check', `status IN ('OPEN', 'SOLVED')`)
export class ProblemClassEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'problem_classes_pkey' })
  id: string;

  @Column({ type: 'text' })
  title: string;

  @Column({ name: 'category_code', type: 'text' })
  categoryCode: string;

  @ManyToOne(() => ProblemCategoryEntity)
  @JoinColumn({ name: 'category_code', foreignKeyConstraintName: 'problem_classes_category_code_fkey' })
  category?: ProblemCategoryEntity;

  @Column({ type: 'text' })
  description: string;

  @Column({ type: 'text', default: 'OPEN' })
  status: ProblemClassStatus;

  @Column({ name: 'opened_by', type: 'text' })
  openedBy: string;

  @Column({ name: 'opened_at', type: 'timestamptz' })
  openedAt: Date;

  @Column({ name: 'solved_at', type: 'timestamptz', nullable: true })
  solvedAt: Date | null;

  /** Monotonic: every step adds one, and the step's event carries it. */
  @Column({ type: 'integer' })
  version: number;
}

/** A case grouped into a class. */
@Entity({ name: 'problem_class_cases' })
@Index('problem_class_cases_case_idx', ['caseId'])
export class ProblemClassCaseEntity {
  @PrimaryColumn({ name: 'class_id', type: 'uuid', primaryKeyConstraintName: 'problem_class_cases_pkey' })
  classId: string;

  @PrimaryColumn({ name: 'case_id', type: 'uuid', primaryKeyConstraintName: 'problem_class_cases_pkey' })
  caseId: string;

  @ManyToOne(() => ProblemClassEntity)
  @JoinColumn({ name: 'class_id', foreignKeyConstraintName: 'problem_class_cases_class_id_fkey' })
  problemClass?: ProblemClassEntity;

  @ManyToOne(() => CaseEntity)
  @JoinColumn({ name: 'case_id', foreignKeyConstraintName: 'problem_class_cases_case_id_fkey' })
  case?: CaseEntity;

  @Column({ name: 'added_by', type: 'text' })
  addedBy: string;

  @Column({ name: 'added_at', type: 'timestamptz' })
  addedAt: Date;
}

/** An improvement action (优化一类服务) assigned to one unit. */
@Entity({ name: 'improvement_actions' })
@Index('improvement_actions_class_idx', ['classId', 'assignedAt'])
@Index('improvement_actions_unit_idx', ['unitCode', 'status'])
@Check('improvement_actions_status_check', `status IN ('ASSIGNED', 'REPORTED', 'ACCEPTED', 'RETURNED')`)
export class ImprovementActionEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'improvement_actions_pkey' })
  id: string;

  @Column({ name: 'class_id', type: 'uuid' })
  classId: string;

  @ManyToOne(() => ProblemClassEntity)
  @JoinColumn({ name: 'class_id', foreignKeyConstraintName: 'improvement_actions_class_id_fkey' })
  problemClass?: ProblemClassEntity;

  @Column({ name: 'unit_code', type: 'text' })
  unitCode: string;

  @Column({ name: 'unit_name', type: 'text' })
  unitName: string;

  /** What the unit is to do. */
  @Column({ type: 'text' })
  action: string;

  @Column({ name: 'due_at', type: 'timestamptz' })
  dueAt: Date;

  @Column({ type: 'text', default: 'ASSIGNED' })
  status: ImprovementActionStatus;

  @Column({ name: 'assigned_by', type: 'text' })
  assignedBy: string;

  @Column({ name: 'assigned_at', type: 'timestamptz' })
  assignedAt: Date;

  @Column({ name: 'reported_at', type: 'timestamptz', nullable: true })
  reportedAt: Date | null;

  /** What the unit did, as it reported it. */
  @Column({ type: 'text', nullable: true })
  report: string | null;

  /** The evidence the unit gave (documents, photos, links, described). */
  @Column({ type: 'text', array: true, default: () => `'{}'` })
  evidence: string[];

  @Column({ name: 'accepted_at', type: 'timestamptz', nullable: true })
  acceptedAt: Date | null;

  /** Why the supervisor returned the last report. */
  @Column({ name: 'return_note', type: 'text', nullable: true })
  returnNote: string | null;

  @Column({ name: 'returned_count', type: 'integer', default: 0 })
  returnedCount: number;
}

/** Append-only history of a class: who did what, when. */
@Entity({ name: 'problem_class_timeline' })
@Index('problem_class_timeline_class_idx', ['classId', 'id'])
export class ProblemClassTimelineEntry {
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'problem_class_timeline_pkey' })
  id: string;

  @Column({ name: 'class_id', type: 'uuid' })
  classId: string;

  @ManyToOne(() => ProblemClassEntity)
  @JoinColumn({ name: 'class_id', foreignKeyConstraintName: 'problem_class_timeline_class_id_fkey' })
  problemClass?: ProblemClassEntity;

  @Column({ type: 'text' })
  action: string;

  @Column({ type: 'text' })
  actor: string;

  @Column({ name: 'actor_role', type: 'text', nullable: true })
  actorRole: string | null;

  /** The improvement action the step was about, if any. */
  @Column({ name: 'action_id', type: 'uuid', nullable: true })
  actionId: string | null;

  /** The unit the step concerns (an action's unit), if any: a unit operator sees only its own unit's steps. */
  @Column({ name: 'unit_code', type: 'text', nullable: true })
  unitCode: string | null;

  @Column({ type: 'text', nullable: true })
  note: string | null;

  @Column({ type: 'jsonb', default: {} })
  data: Record<string, unknown>;

  @Column({ type: 'timestamptz' })
  at: Date;
}

export const PROBLEM_CLASS_ENTITIES = [ProblemClassEntity, ProblemClassCaseEntity, ImprovementActionEntity, ProblemClassTimelineEntry];
