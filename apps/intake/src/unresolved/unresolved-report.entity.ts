import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** A 办不成事 report filed by a unit's operator at the 办不成事 window. Contact only sealed + masked. */
@Entity({ name: 'unresolved_reports' })
@Index('unresolved_reports_unit_idx', ['unitCode', 'reportedAt'])
export class UnresolvedReportEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'unit_code', type: 'text' })
  unitCode: string;

  @Column({ type: 'text' })
  matter: string;

  @Column({ type: 'text' })
  description: string;

  @Column({ name: 'service_item_code', type: 'text', nullable: true })
  serviceItemCode: string | null;

  @Column({ name: 'contact_sealed', type: 'text', nullable: true })
  contactSealed: string | null;

  @Column({ name: 'contact_masked_name', type: 'text', nullable: true })
  contactMaskedName: string | null;

  @Column({ name: 'contact_masked_phone', type: 'text', nullable: true })
  contactMaskedPhone: string | null;

  @Column({ name: 'reported_at', type: 'timestamptz' })
  reportedAt: Date;

  /** When the retention sweep erased the contact (PERSONAL_DATA_RETENTION_DAYS after the report); null while kept. */
  @Column({ name: 'contact_erased_at', type: 'timestamptz', nullable: true })
  contactErasedAt: Date | null;

  @Column({ name: 'reported_by', type: 'text' })
  reportedBy: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
