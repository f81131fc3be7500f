import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Quarter publishing (每季度通报): a published quarter is a frozen snapshot. `published_quarters`
 * records who published which quarter when; `published_reports` holds the report exactly as it was
 * served at publication (JSON text, byte for byte), for the whole district (scope '') and for each
 * unit, with the bulletin's extra figures. Both tables are append-only: a trigger refuses every
 * UPDATE, DELETE and TRUNCATE, so not even a bug or a hand-run statement can move published figures.
 */
export class PublishedQuarters1733200000000 implements MigrationInterface {
  name = 'PublishedQuarters1733200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE published_quarters (
        year smallint NOT NULL,
        quarter smallint NOT NULL,
        published_at timestamptz NOT NULL,
        published_by text NOT NULL,
        CONSTRAINT "PK_published_quarters" PRIMARY KEY (year, quarter)
      )`);
    await q.query(`
      CREATE TABLE published_reports (
        year smallint NOT NULL,
        quarter smallint NOT NULL,
        scope text NOT NULL,
        report text NOT NULL,
        bulletin_extras text NOT NULL,
        CONSTRAINT "PK_published_reports" PRIMARY KEY (year, quarter, scope)
      )`);
    await q.query(`
      CREATE FUNCTION forbid_published_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        RAISE EXCEPTION 'published quarters are append-only (% on %)', TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
      END
      $fn$`);
    for (const table of ['published_quarters', 'published_reports']) {
      await q.query(
        `CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION forbid_published_change()`,
      );
      await q.query(
        `CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION forbid_published_change()`,
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE published_reports`);
    await q.query(`DROP TABLE published_quarters`);
    await q.query(`DROP FUNCTION forbid_published_change()`);
  }
}
