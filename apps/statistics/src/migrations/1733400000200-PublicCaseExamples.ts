import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 以评促改 examples for the public pages: the last publication choice of each closed case, as the
 * unit worded it (gov.case.publication-changed). Only rows with publishable = true are ever shown.
 */
export class PublicCaseExamples1733400000200 implements MigrationInterface {
  name = 'PublicCaseExamples1733400000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE public_case_examples (
        case_id uuid PRIMARY KEY,
        unit_code text NOT NULL,
        unit_name text NOT NULL,
        source text NOT NULL,
        publishable boolean NOT NULL,
        matter text,
        measures text,
        outcome text,
        opened_at timestamptz NOT NULL,
        closed_at timestamptz,
        version integer NOT NULL
      )`);
    await q.query(`CREATE INDEX public_case_examples_opened ON public_case_examples (opened_at) WHERE publishable`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE public_case_examples`);
  }
}
