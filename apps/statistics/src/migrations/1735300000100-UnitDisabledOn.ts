import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The Asia/Shanghai day a unit was disabled (from gov.unit.updated, or intake.units on a rebuild), null while
 * it is enabled: a report lists a disabled unit only for periods ending on or after that day, or in which it
 * has figures (docs/guide.md § Units).
 */
export class UnitDisabledOn1735300000100 implements MigrationInterface {
  name = 'UnitDisabledOn1735300000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE units ADD COLUMN disabled_on date`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE units DROP COLUMN disabled_on`);
  }
}
