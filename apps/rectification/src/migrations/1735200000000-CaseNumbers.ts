import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 案件编号 a person can read, say on the phone and search: the Asia/Shanghai date the case opened and its
 * sequence that day, `2026-1207-0001`. A trigger numbers every new case, whatever writes it; the per-day
 * counter row is taken with an upsert, so concurrent openings get distinct numbers (they wait on that row
 * only while their transaction lasts). Existing cases are numbered in the order they opened.
 */
export class CaseNumbers1735200000000 implements MigrationInterface {
  name = 'CaseNumbers1735200000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE rectification.case_number_days (day date PRIMARY KEY, last integer NOT NULL)`);
    await q.query(`ALTER TABLE rectification.cases ADD COLUMN case_number text`);
    await q.query(`
      UPDATE rectification.cases c SET case_number = n.number
        FROM (SELECT id, to_char(opened_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MMDD') || '-' ||
                     lpad(row_number() OVER (PARTITION BY (opened_at AT TIME ZONE 'Asia/Shanghai')::date ORDER BY opened_at, id)::text, 4, '0') AS number
                FROM rectification.cases) n
       WHERE n.id = c.id`);
    await q.query(`
      INSERT INTO rectification.case_number_days (day, last)
      SELECT (opened_at AT TIME ZONE 'Asia/Shanghai')::date, count(*) FROM rectification.cases GROUP BY 1`);
    await q.query(`
      CREATE FUNCTION rectification.assign_case_number() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        d date := (NEW.opened_at AT TIME ZONE 'Asia/Shanghai')::date;
        n integer;
      BEGIN
        IF NEW.case_number IS NOT NULL THEN RETURN NEW; END IF;
        INSERT INTO rectification.case_number_days AS k (day, last) VALUES (d, 1)
          ON CONFLICT (day) DO UPDATE SET last = k.last + 1
          RETURNING k.last INTO n;
        NEW.case_number := to_char(d, 'YYYY-MMDD') || '-' || lpad(n::text, 4, '0');
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER cases_case_number BEFORE INSERT ON rectification.cases
        FOR EACH ROW EXECUTE FUNCTION rectification.assign_case_number()`);
    await q.query(`ALTER TABLE rectification.cases ALTER COLUMN case_number SET NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX cases_case_number_uq ON rectification.cases (case_number)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER cases_case_number ON rectification.cases`);
    await q.query(`DROP FUNCTION rectification.assign_case_number()`);
    await q.query(`DROP INDEX rectification.cases_case_number_uq`);
    await q.query(`ALTER TABLE rectification.cases DROP COLUMN case_number`);
    await q.query(`DROP TABLE rectification.case_number_days`);
  }
}
