import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a PAD's offline uploads had refused: each rejected batch item's index, service record and reasons, so that
 * the console can explain a device's 未通过 counter. Bounded: the newest rows per device are kept (the service
 * prunes the older ones when it records new ones); a device's rows go with the device.
 */
export class RejectedUploads1734300000000 implements MigrationInterface {
  name = 'RejectedUploads1734300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE rejected_uploads (
        id bigserial PRIMARY KEY,
        device_id uuid NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
        unit_code text NOT NULL,
        item_index integer NOT NULL,
        service_record_id text,
        errors jsonb NOT NULL,
        received_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX rejected_uploads_device ON rejected_uploads (device_id, id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rejected_uploads`);
  }
}
