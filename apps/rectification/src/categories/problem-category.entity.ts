import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** One node of the 问题分类 taxonomy: a top-level category (parentCode null) or one of its sub-categories. */
@Entity({ name: 'problem_categories' })
@Index('problem_categories_parent_idx', ['parentCode'])
@Check('problem_categories_code_check', `code ~ '^[A-Z][A-Z0-9_]{0,63}$'`)
@Check('problem_categories_name_check', `length(name) BETWEEN 1 AND 100`)
export class ProblemCategoryEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'problem_categories_pkey' })
  code: string;

  @Column({ name: 'parent_code', type: 'text', nullable: true })
  parentCode: string | null;

  @ManyToOne(() => ProblemCategoryEntity)
  @JoinColumn({ name: 'parent_code', foreignKeyConstraintName: 'problem_categories_parent_code_fkey' })
  parent?: ProblemCategoryEntity;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'integer', default: 0 })
  sort: number;

  /** Retired categories stay (cases keep pointing at them) but can no longer be chosen. */
  @Column({ type: 'boolean', default: false })
  retired: boolean;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}

/** The audit of the taxonomy: who created or changed a category, and from what to what. */
@Entity({ name: 'problem_category_changes' })
@Index('problem_category_changes_code_idx', ['code', 'id'])
@Check('problem_category_changes_action_check', `action IN ('CREATE', 'UPDATE')`)
export class ProblemCategoryChange {
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'problem_category_changes_pkey' })
  id: string;

  @Column({ type: 'text' })
  code: string;

  @ManyToOne(() => ProblemCategoryEntity)
  @JoinColumn({ name: 'code', foreignKeyConstraintName: 'problem_category_changes_code_fkey' })
  category?: ProblemCategoryEntity;

  @Column({ type: 'text' })
  action: 'CREATE' | 'UPDATE';

  @Column({ type: 'text' })
  actor: string;

  @Column({ type: 'jsonb', nullable: true })
  before: Record<string, unknown> | null;

  @Column({ type: 'jsonb' })
  after: Record<string, unknown>;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at: Date;
}
