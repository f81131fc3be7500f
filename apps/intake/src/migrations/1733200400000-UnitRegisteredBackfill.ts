import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Units registered before intake emitted gov.unit.registered get the event now, through the outbox,
 * so that statistics lists them in every report incrementally as it does after a rebuild. The
 * envelope is written out here (a migration never calls into live code): CloudEvents 1.0,
 * structured JSON, on reviews.submitted keyed by the unit code, like the events intake emits.
 */
export class UnitRegisteredBackfill1733200400000 implements MigrationInterface {
  name = 'UnitRegisteredBackfill1733200400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      INSERT INTO outbox (event_id, topic, message_key, payload)
      SELECT e.id, 'reviews.submitted', u.code, jsonb_build_object(
        'specversion', '1.0',
        'id', e.id,
        'source', '/gov-review/intake',
        'type', 'gov.unit.registered',
        'time', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'datacontenttype', 'application/json',
        'subject', u.code,
        'data', jsonb_build_object(
          'unitCode', u.code,
          'unitName', u.name,
          'registeredAt', to_char(u.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')))
      FROM units u CROSS JOIN LATERAL (SELECT gen_random_uuid() AS id) e
      ORDER BY u.created_at, u.code`);
  }

  async down(): Promise<void> {
    // Events once written are history: consumers may already have them.
  }
}
