import type { MigrationInterface, QueryRunner } from 'typeorm';
import { seedYearsFromChineseDays } from '#libs/calendar';
import { createMessagingTables, dropMessagingTables } from '#libs/messaging';

export class InitialRectificationSchema1732406400000 implements MigrationInterface {
  name = 'InitialRectificationSchema1732406400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE cases (
        id uuid PRIMARY KEY,
        source text NOT NULL,
        unit_code text NOT NULL,
        unit_name text NOT NULL,
        review_id uuid,
        report_id uuid,
        ticket_id text,
        hotline_client_id uuid,
        status text NOT NULL,
        outcome text,
        opened_at timestamptz NOT NULL,
        response_due_at timestamptz NOT NULL,
        rectify_due_at timestamptz NOT NULL,
        responded_at timestamptz,
        responded_on_time boolean,
        rectified_at timestamptz,
        closed_at timestamptz,
        overdue boolean NOT NULL DEFAULT false,
        reopened_count integer NOT NULL DEFAULT 0,
        urge_count integer NOT NULL DEFAULT 0,
        workflow jsonb NOT NULL DEFAULT '{}'::jsonb,
        matter jsonb NOT NULL DEFAULT '{}'::jsonb,
        contact_sealed text,
        contact_masked_name text,
        contact_masked_phone text,
        version integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX cases_review_uq ON cases (review_id) WHERE review_id IS NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX cases_report_uq ON cases (report_id) WHERE report_id IS NOT NULL`);
    await q.query(`CREATE INDEX cases_unit_opened_idx ON cases (unit_code, opened_at)`);
    await q.query(`CREATE INDEX cases_status_idx ON cases (status)`);
    await q.query(`
      CREATE TABLE case_timeline (
        id bigserial PRIMARY KEY,
        case_id uuid NOT NULL,
        action text NOT NULL,
        actor text NOT NULL,
        actor_role text,
        note text,
        data jsonb NOT NULL DEFAULT '{}'::jsonb,
        at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX case_timeline_case_idx ON case_timeline (case_id, id)`);
    await q.query(`
      CREATE TABLE calendar_days (
        date date PRIMARY KEY,
        kind text NOT NULL,
        name text,
        origin text NOT NULL DEFAULT 'seed',
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    for (const year of seedYearsFromChineseDays()) {
      const dates = [...year.holidays, ...year.makeUpWorkdays];
      const kinds = [...year.holidays.map(() => 'HOLIDAY'), ...year.makeUpWorkdays.map(() => 'WORKDAY')];
      await q.query(`INSERT INTO calendar_days (date, kind) SELECT * FROM unnest($1::date[], $2::text[]) ON CONFLICT DO NOTHING`, [
        dates,
        kinds,
      ]);
    }
    await createMessagingTables(q);
  }

  async down(q: QueryRunner): Promise<void> {
    await dropMessagingTables(q);
    for (const table of ['calendar_days', 'case_timeline', 'cases']) await q.query(`DROP TABLE ${table}`);
  }
}
