import type { QueryRunner } from 'typeorm';

/**
 * DDL of the outbox and inbox tables, created in a service's own schema by that
 * service's first migration (the connection's search_path is the schema).
 *
 * Frozen: the three initial migrations (committed history) call this, so what it creates must
 * never change — a change to these tables is a new migration. messaging-tables.spec.ts pins the
 * statements.
 */
export async function createMessagingTables(runner: QueryRunner): Promise<void> {
  await runner.query(`
    CREATE TABLE outbox (
      id bigserial PRIMARY KEY,
      event_id uuid NOT NULL,
      topic text NOT NULL,
      message_key text NOT NULL,
      payload jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      published_at timestamptz,
      CONSTRAINT "UQ_outbox_event_id" UNIQUE (event_id)
    )`);
  await runner.query(`CREATE INDEX outbox_unpublished_idx ON outbox (id) WHERE published_at IS NULL`);
  await runner.query(`
    CREATE TABLE processed_events (
      consumer text NOT NULL,
      event_id text NOT NULL,
      outcome text NOT NULL DEFAULT 'processed',
      reason text,
      processed_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "PK_processed_events" PRIMARY KEY (consumer, event_id)
    )`);
}

export async function dropMessagingTables(runner: QueryRunner): Promise<void> {
  await runner.query('DROP TABLE IF EXISTS processed_events');
  await runner.query('DROP TABLE IF EXISTS outbox');
}
