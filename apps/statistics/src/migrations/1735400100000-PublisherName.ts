import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 发布人 by name: a published quarter records the publisher's display name as it stood at publication (the access
 * token's `name`), beside the account id it already kept. Quarters published before have none (NULL): the bulletin
 * shows 「—」 for them rather than an id. Adding a column is not an UPDATE: the append-only triggers stay as they are.
 */
export class PublisherName1735400100000 implements MigrationInterface {
  name = 'PublisherName1735400100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE published_quarters ADD COLUMN published_by_name text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE published_quarters DROP COLUMN published_by_name`);
  }
}
