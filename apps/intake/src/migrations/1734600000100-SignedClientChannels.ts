import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One registry of signed clients (X-Client-Id): 12345 hotlines and the platforms that push ratings (API.md § Online
 * platform). hotline_clients.channel says which a client is — HOTLINE_12345 (every earlier row), ONLINE or PROVINCE —
 * and so which routes its signature opens.
 */
export class SignedClientChannels1734600000100 implements MigrationInterface {
  name = 'SignedClientChannels1734600000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE hotline_clients ADD COLUMN channel text NOT NULL DEFAULT 'HOTLINE_12345'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM hotline_clients WHERE channel <> 'HOTLINE_12345'`);
    await q.query(`ALTER TABLE hotline_clients DROP COLUMN channel`);
  }
}
