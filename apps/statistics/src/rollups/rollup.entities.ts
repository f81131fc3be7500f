import { Column, Entity, PrimaryColumn } from 'typeorm';

/** What statistics knows of one review: enough to add it to, or take it out of, the rollups. */
@Entity({ name: 'review_facts' })
export class ReviewFactEntity {
  @PrimaryColumn({ name: 'review_id', type: 'uuid' })
  reviewId: string;

  @Column({ name: 'unit_code', type: 'text' })
  unitCode: string;

  /** Shanghai calendar day of ratedAt (reviews) or transferredAt (hotline). */
  @Column({ type: 'date' })
  day: string;

  @Column({ type: 'text' })
  channel: string;

  /** 1–5; 0 for a hotline complaint, which has no level. */
  @Column({ type: 'smallint' })
  level: number;

  @Column({ type: 'text' })
  grade: string;

  @Column({ type: 'text', array: true, default: () => `'{}'` })
  tags: string[];

  @Column({ name: 'service_item_code', type: 'text', nullable: true })
  serviceItemCode: string | null;

  @Column({ name: 'service_item_name', type: 'text', nullable: true })
  serviceItemName: string | null;

  @Column({ type: 'boolean', default: false })
  suspect: boolean;

  @Column({ name: 'appeal_upheld', type: 'boolean', default: false })
  appealUpheld: boolean;
}

/** Reviews by unit × Shanghai day × channel × level, maintained by SQL upserts. */
@Entity({ name: 'review_rollups' })
export class ReviewRollupEntity {
  @PrimaryColumn({ name: 'unit_code', type: 'text' })
  unitCode: string;

  @PrimaryColumn({ type: 'date' })
  day: string;

  @PrimaryColumn({ type: 'text' })
  channel: string;

  @PrimaryColumn({ type: 'smallint' })
  level: number;

  @Column({ type: 'integer', default: 0 })
  reviews: number;
}

@Entity({ name: 'units' })
export class StatisticsUnitEntity {
  @PrimaryColumn({ name: 'unit_code', type: 'text' })
  unitCode: string;

  @Column({ name: 'unit_name', type: 'text' })
  unitName: string;
}
