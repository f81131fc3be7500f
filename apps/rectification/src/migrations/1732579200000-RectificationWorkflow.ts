import type { MigrationInterface, QueryRunner } from 'typeorm';
import { seedYearsFromChineseDays } from '#libs/calendar';

/**
 * The full workflow: hotline clients (rectification's own copy, from registry events), the hotline
 * reply outbox, an index for the overdue sweep, and the festival names of the seeded calendar days.
 */
export class RectificationWorkflow1732579200000 implements MigrationInterface {
  name = 'RectificationWorkflow1732579200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE hotline_clients (
        client_id uuid PRIMARY KEY,
        name text NOT NULL,
        callback_url text,
        secret_sealed text NOT NULL,
        revoked boolean NOT NULL DEFAULT false,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE hotline_callbacks (
        id uuid PRIMARY KEY,
        case_id uuid NOT NULL,
        ticket_id text NOT NULL,
        client_id uuid NOT NULL,
        body text NOT NULL,
        status text NOT NULL DEFAULT 'PENDING',
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error text,
        last_status integer,
        delivered_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX hotline_callbacks_case_uq ON hotline_callbacks (case_id)`);
    await q.query(`CREATE INDEX hotline_callbacks_due_idx ON hotline_callbacks (next_attempt_at) WHERE status = 'PENDING'`);
    await q.query(`CREATE INDEX cases_ticket_idx ON cases (ticket_id) WHERE ticket_id IS NOT NULL`);
    await q.query(`CREATE INDEX cases_open_due_idx ON cases (rectify_due_at) WHERE status NOT IN ('CLOSED')`);
    for (const year of seedYearsFromChineseDays()) {
      const dates = Object.keys(year.names);
      await q.query(
        `UPDATE calendar_days d SET name = n.name FROM unnest($1::date[], $2::text[]) AS n(date, name)
         WHERE d.date = n.date AND d.origin = 'seed' AND d.name IS NULL`,
        [dates, dates.map((d) => year.names[d])],
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX cases_open_due_idx`);
    await q.query(`DROP INDEX cases_ticket_idx`);
    await q.query(`DROP TABLE hotline_callbacks`);
    await q.query(`DROP TABLE hotline_clients`);
  }
}
