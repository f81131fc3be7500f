import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createMessagingTables, dropMessagingTables } from '#libs/messaging';

export class InitialIntakeSchema1732406400000 implements MigrationInterface {
  name = 'InitialIntakeSchema1732406400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE units (
        code text PRIMARY KEY,
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE devices (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        unit_code text NOT NULL,
        window_no text NOT NULL,
        label text,
        secret_sealed text NOT NULL,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE hotline_clients (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        callback_url text,
        secret_sealed text NOT NULL,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE reviews (
        id uuid PRIMARY KEY,
        unit_code text NOT NULL,
        channel text NOT NULL,
        service_record_id text,
        service_item_code text,
        service_item_name text,
        staff_id text,
        window_no text,
        device_id uuid,
        level smallint,
        grade text NOT NULL,
        tags text[] NOT NULL DEFAULT '{}',
        comment text,
        contact_sealed text,
        contact_masked_name text,
        contact_masked_phone text,
        rated_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL,
        suspect boolean NOT NULL DEFAULT false,
        suspect_reason text,
        ticket_id text,
        hotline_client_id uuid,
        category text,
        due_at timestamptz,
        body_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX reviews_pad_record_uq ON reviews (unit_code, service_record_id) WHERE channel = 'PAD'`);
    await q.query(`CREATE UNIQUE INDEX reviews_hotline_ticket_uq ON reviews (ticket_id) WHERE channel = 'HOTLINE_12345'`);
    await q.query(`CREATE INDEX reviews_device_rated_idx ON reviews (device_id, rated_at)`);
    await q.query(`CREATE INDEX reviews_unit_rated_idx ON reviews (unit_code, rated_at)`);
    await createMessagingTables(q);
  }

  async down(q: QueryRunner): Promise<void> {
    await dropMessagingTables(q);
    for (const table of ['reviews', 'hotline_clients', 'devices', 'units']) await q.query(`DROP TABLE ${table}`);
  }
}
