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

/** The status of a stored calendar year; a year without a row is provisional (derived from the statutory rules). */
export type CalendarYearStatus = 'PUBLISHED' | 'CONFIRMED';

@Entity({ name: 'calendar_years' })
export class CalendarYearEntity {
  @PrimaryColumn({ type: 'integer' })
  year: number;

  /** PUBLISHED: the arrangement as the holiday package carries it; CONFIRMED: as an admin confirmed or corrected it. */
  @Column({ type: 'text' })
  status: CalendarYearStatus;

  /** Where the days came from: `chinese-days <version>` or `admin`. */
  @Column({ type: 'text' })
  source: string;

  @Column({ name: 'confirmed_at', type: 'timestamptz', nullable: true })
  confirmedAt: Date | null;

  @Column({ name: 'confirmed_by', type: 'text', nullable: true })
  confirmedBy: string | null;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
