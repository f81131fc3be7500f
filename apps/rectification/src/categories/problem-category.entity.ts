import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One node of the 问题分类 taxonomy: a top-level category (parentCode null) or one of its sub-categories. */
@Entity({ name: 'problem_categories' })
export class ProblemCategoryEntity {
  @PrimaryColumn({ type: 'text' })
  code: string;

  @Column({ name: 'parent_code', type: 'text', nullable: true })
  parentCode: string | null;

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
export class ProblemCategoryChange {
  @Column({ type: 'bigint', primary: true, generated: 'increment' })
  id: string;

  @Column({ type: 'text' })
  code: string;

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
