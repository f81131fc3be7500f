import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Whether each stored calendar year is an arrangement published in the holiday package
 * (`PUBLISHED`) or one an admin confirmed or corrected (`CONFIRMED`); a year with no row is
 * provisional, derived from the statutory rules. The years already stored get their status from
 * their days' origin. Cases remember whether a deadline rests on a provisional day.
 */
export class CalendarYearStatus1733500000000 implements MigrationInterface {
  name = 'CalendarYearStatus1733500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE calendar_years (
        year integer PRIMARY KEY,
        status text NOT NULL,
        source text NOT NULL,
        confirmed_at timestamptz,
        confirmed_by text,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      INSERT INTO calendar_years (year, status, source, confirmed_at, confirmed_by)
      SELECT extract(year FROM date)::int,
        CASE WHEN bool_or(origin = 'admin') THEN 'CONFIRMED' ELSE 'PUBLISHED' END,
        CASE WHEN bool_or(origin = 'admin') THEN 'admin' ELSE 'chinese-days' END,
        CASE WHEN bool_or(origin = 'admin') THEN max(updated_at) END,
        NULL
      FROM calendar_days GROUP BY 1`);
    await q.query(`ALTER TABLE cases ADD COLUMN deadline_provisional boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE cases DROP COLUMN deadline_provisional`);
    await q.query(`DROP TABLE calendar_years`);
  }
}
