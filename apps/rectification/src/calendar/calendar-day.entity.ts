import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** One exception to the Mon–Fri rule: a statutory holiday (off) or a 调休 make-up day (on). */
@Entity({ name: 'calendar_days' })
export class CalendarDayEntity {
  @PrimaryColumn({ type: 'date' })
  date: string;

  @Column({ type: 'text' })
  kind: 'HOLIDAY' | 'WORKDAY';

  @Column({ type: 'text', nullable: true })
  name: string | null;

  @Column({ type: 'text', default: 'seed' })
  origin: 'seed' | 'admin';

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
