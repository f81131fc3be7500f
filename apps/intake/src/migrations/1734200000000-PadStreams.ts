import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The PADs' open prompt streams, kept where every replica sees them: at most a few per device at
 * once, and a signed stream request used once only. A row is a stream: its signature (unique per
 * device: a replay within the signature's time window finds it), until when that signature could be
 * replayed, until when the stream may run at the latest (a replica that died never closes its
 * streams), and when it was closed. Rows whose signature has expired and whose stream is over are
 * pruned as the device opens its next stream, and by the periodic sweep.
 */
export class PadStreams1734200000000 implements MigrationInterface {
  name = 'PadStreams1734200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE pad_streams (
        id uuid PRIMARY KEY,
        device_id uuid NOT NULL,
        signature text NOT NULL,
        opened_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL,
        closed_at timestamptz,
        replayable_until timestamptz NOT NULL,
        CONSTRAINT pad_streams_signature_once UNIQUE (device_id, signature)
      )`);
    await q.query(`CREATE INDEX pad_streams_expiry ON pad_streams (replayable_until)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE pad_streams`);
  }
}
