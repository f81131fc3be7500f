import type { QueryRunner } from 'typeorm';
import { createMessagingTables, dropMessagingTables } from './messaging-tables.js';

/** The statements a function sends, whitespace folded. */
async function statementsOf(run: (runner: QueryRunner) => Promise<void>): Promise<string[]> {
  const sent: string[] = [];
  await run({ query: (sql: string) => Promise.resolve(void sent.push(sql.replace(/\s+/g, ' ').trim())) } as unknown as QueryRunner);
  return sent;
}

describe('the messaging tables the initial migrations create (frozen: committed migrations call this)', () => {
  it('creates exactly the outbox and inbox of the first schema version', async () => {
    expect(await statementsOf(createMessagingTables)).toEqual([
      'CREATE TABLE outbox ( id bigserial PRIMARY KEY, event_id uuid NOT NULL, topic text NOT NULL, message_key text NOT NULL, ' +
        'payload jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), published_at timestamptz, ' +
        'CONSTRAINT "UQ_outbox_event_id" UNIQUE (event_id) )',
      'CREATE INDEX outbox_unpublished_idx ON outbox (id) WHERE published_at IS NULL',
      "CREATE TABLE processed_events ( consumer text NOT NULL, event_id text NOT NULL, outcome text NOT NULL DEFAULT 'processed', " +
        'reason text, processed_at timestamptz NOT NULL DEFAULT now(), CONSTRAINT "PK_processed_events" PRIMARY KEY (consumer, event_id) )',
    ]);
  });

  it('drops them in reverse', async () => {
    expect(await statementsOf(dropMessagingTables)).toEqual(['DROP TABLE IF EXISTS processed_events', 'DROP TABLE IF EXISTS outbox']);
  });
});
