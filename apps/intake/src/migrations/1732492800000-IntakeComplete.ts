import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue 3: suspect clearing, the hotline's own receipt time, and 办不成事 reports. */
export class IntakeComplete1732492800000 implements MigrationInterface {
  name = 'IntakeComplete1732492800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE reviews ADD COLUMN suspect_cleared_at timestamptz`);
    await q.query(`ALTER TABLE reviews ADD COLUMN suspect_cleared_by text`);
    await q.query(`ALTER TABLE reviews ADD COLUMN hotline_received_at timestamptz`);
    await q.query(`CREATE INDEX reviews_suspect_idx ON reviews (unit_code, rated_at) WHERE suspect`);
    await q.query(`
      CREATE TABLE unresolved_reports (
        id uuid PRIMARY KEY,
        unit_code text NOT NULL,
        matter text NOT NULL,
        description text NOT NULL,
        service_item_code text,
        contact_sealed text,
        contact_masked_name text,
        contact_masked_phone text,
        reported_at timestamptz NOT NULL,
        reported_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX unresolved_reports_unit_idx ON unresolved_reports (unit_code, reported_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE unresolved_reports`);
    await q.query(`DROP INDEX reviews_suspect_idx`);
    await q.query(`ALTER TABLE reviews DROP COLUMN hotline_received_at`);
    await q.query(`ALTER TABLE reviews DROP COLUMN suspect_cleared_by`);
    await q.query(`ALTER TABLE reviews DROP COLUMN suspect_cleared_at`);
  }
}
