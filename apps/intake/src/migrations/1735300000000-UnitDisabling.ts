import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A unit can be disabled (PATCH /units/{code}): when, or null while it is enabled. A disabled unit keeps
 * its history; nothing new (ratings, reports, devices, pairing) is accepted for it until it is enabled again.
 */
export class UnitDisabling1735300000000 implements MigrationInterface {
  name = 'UnitDisabling1735300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE units ADD COLUMN disabled_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE units DROP COLUMN disabled_at`);
  }
}
