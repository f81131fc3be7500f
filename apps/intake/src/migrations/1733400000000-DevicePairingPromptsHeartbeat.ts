import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The PAD page's tables: one-time pairing codes (only their SHA-256 is kept), rating
 * prompts sent by a window's business system, and each device's last heartbeat.
 */
export class DevicePairingPromptsHeartbeat1733400000000 implements MigrationInterface {
  name = 'DevicePairingPromptsHeartbeat1733400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE device_pairing_codes (
        code_hash text PRIMARY KEY,
        device_id uuid NOT NULL REFERENCES devices(id),
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        superseded_at timestamptz
      )`);
    await q.query(`CREATE INDEX device_pairing_codes_device ON device_pairing_codes (device_id, created_at DESC)`);
    await q.query(`
      CREATE TABLE device_prompts (
        id uuid PRIMARY KEY,
        device_id uuid NOT NULL REFERENCES devices(id),
        unit_code text NOT NULL,
        service_record_id text NOT NULL,
        service_item_code text NOT NULL,
        service_item_name text,
        staff_id text,
        requested_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX device_prompts_device ON device_prompts (device_id, created_at DESC)`);
    await q.query(`ALTER TABLE devices ADD COLUMN last_seen_at timestamptz`);
    await q.query(`ALTER TABLE devices ADD COLUMN queue_length integer`);
    await q.query(`ALTER TABLE devices ADD COLUMN rejected_count integer`);
    await q.query(`ALTER TABLE devices ADD COLUMN app_version text`);
    await q.query(`ALTER TABLE devices ADD COLUMN paired_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const column of ['paired_at', 'app_version', 'rejected_count', 'queue_length', 'last_seen_at']) {
      await q.query(`ALTER TABLE devices DROP COLUMN ${column}`);
    }
    await q.query(`DROP TABLE device_prompts`);
    await q.query(`DROP TABLE device_pairing_codes`);
  }
}
