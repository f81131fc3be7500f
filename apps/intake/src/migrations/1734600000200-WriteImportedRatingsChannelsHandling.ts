import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * write_imported_ratings() as ChannelsAndStages1734600000000 defined it (channel and stage stored as given, one rating
 * per unit, matter and stage), and again storing an imported review's `handling` (reviews.handling,
 * ImportHandling1734200100000) from the review's event, as WriteImportedRatingsHandling1734200200000 had it: the two
 * were written side by side, each replacing the function as it stood before both.
 */
export class WriteImportedRatingsChannelsHandling1734600000200 implements MigrationInterface {
  name = 'WriteImportedRatingsChannelsHandling1734600000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION write_imported_ratings(json, text)`);
    await q.query(`
      CREATE FUNCTION write_imported_ratings(
        p_ratings json,   -- array of pad_rating_in (device_id null)
        p_topic text      -- outbox topic of the events, keyed by unit code
      ) RETURNS TABLE (outcome text, review_id uuid)
      LANGUAGE plpgsql
      SET plan_cache_mode = force_custom_plan
      AS $fn$
      DECLARE
        v_group pad_rating_in[];
        v_new bigint[];
      BEGIN
        v_group := ARRAY(
          SELECT json_populate_record(NULL::pad_rating_in, e.value)
          FROM json_array_elements(p_ratings) WITH ORDINALITY AS e
          ORDER BY e.ordinality);

        -- One leader per (unit, service record), inserted in key order (no lock cycles between concurrent imports).
        WITH leaders AS (
          SELECT DISTINCT ON (g.unit_code, g.service_record_id, g.stage) g.*
          FROM unnest(v_group) WITH ORDINALITY AS g
          ORDER BY g.unit_code, g.service_record_id, g.stage, g.ordinality
        ), inserted AS (
          INSERT INTO reviews (id, unit_code, channel, service_record_id, service_item_code, service_item_name, staff_id,
            window_no, device_id, level, grade, tags, comment, contact_sealed, contact_masked_name, contact_masked_phone,
            rated_at, received_at, body_hash, imported, stage, handling)
          SELECT l.id, l.unit_code, l.channel, l.service_record_id, l.service_item_code, l.service_item_name, l.staff_id,
            l.window_no, NULL, l.level, l.grade, l.tags, l.comment, l.contact_sealed, l.contact_masked_name,
            l.contact_masked_phone, l.rated_at, l.received_at, l.body_hash, true, l.stage, l.event->'data'->'handling'
          FROM leaders l
          ORDER BY l.unit_code, l.service_record_id, l.stage
          ON CONFLICT (unit_code, service_record_id, stage) WHERE channel <> 'HOTLINE_12345' DO NOTHING
          RETURNING reviews.id
        )
        SELECT array_agg(l.ordinality ORDER BY l.ordinality) INTO v_new FROM leaders l JOIN inserted i ON i.id = l.id;

        IF v_new IS NOT NULL THEN
          INSERT INTO outbox (event_id, topic, message_key, payload)
          SELECT (g.event->>'id')::uuid, p_topic, g.unit_code, g.event
          FROM unnest(v_new) AS n(ord) JOIN unnest(v_group) WITH ORDINALITY AS g ON g.ordinality = n.ord
          ORDER BY n.ord;
        END IF;

        -- Each input row's outcome, in input order: created, else duplicate or conflict by the stored row's body hash.
        RETURN QUERY
          WITH g AS (
            SELECT x.ordinality, x.id, x.unit_code, x.service_record_id, x.stage, x.body_hash, n.ord IS NOT NULL AS created
            FROM unnest(v_group) WITH ORDINALITY AS x LEFT JOIN unnest(v_new) AS n(ord) ON n.ord = x.ordinality
          )
          SELECT CASE WHEN g.created THEN 'created' WHEN r.body_hash = g.body_hash THEN 'duplicate' ELSE 'conflict' END,
            CASE WHEN g.created THEN g.id ELSE r.id END
          FROM g LEFT JOIN reviews r
            ON NOT g.created AND r.unit_code = g.unit_code AND r.service_record_id = g.service_record_id AND r.stage = g.stage
              AND r.channel <> 'HOTLINE_12345'
          ORDER BY g.ordinality;
      END
      $fn$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION write_imported_ratings(json, text)`);
    await q.query(`
      CREATE FUNCTION write_imported_ratings(
        p_ratings json,   -- array of pad_rating_in (device_id null)
        p_topic text      -- outbox topic of the events, keyed by unit code
      ) RETURNS TABLE (outcome text, review_id uuid)
      LANGUAGE plpgsql
      SET plan_cache_mode = force_custom_plan
      AS $fn$
      DECLARE
        v_group pad_rating_in[];
        v_new bigint[];
      BEGIN
        v_group := ARRAY(
          SELECT json_populate_record(NULL::pad_rating_in, e.value)
          FROM json_array_elements(p_ratings) WITH ORDINALITY AS e
          ORDER BY e.ordinality);

        -- One leader per (unit, service record), inserted in key order (no lock cycles between concurrent imports).
        WITH leaders AS (
          SELECT DISTINCT ON (g.unit_code, g.service_record_id, g.stage) g.*
          FROM unnest(v_group) WITH ORDINALITY AS g
          ORDER BY g.unit_code, g.service_record_id, g.stage, g.ordinality
        ), inserted AS (
          INSERT INTO reviews (id, unit_code, channel, service_record_id, service_item_code, service_item_name, staff_id,
            window_no, device_id, level, grade, tags, comment, contact_sealed, contact_masked_name, contact_masked_phone,
            rated_at, received_at, body_hash, imported, stage)
          SELECT l.id, l.unit_code, l.channel, l.service_record_id, l.service_item_code, l.service_item_name, l.staff_id,
            l.window_no, NULL, l.level, l.grade, l.tags, l.comment, l.contact_sealed, l.contact_masked_name,
            l.contact_masked_phone, l.rated_at, l.received_at, l.body_hash, true, l.stage
          FROM leaders l
          ORDER BY l.unit_code, l.service_record_id, l.stage
          ON CONFLICT (unit_code, service_record_id, stage) WHERE channel <> 'HOTLINE_12345' DO NOTHING
          RETURNING reviews.id
        )
        SELECT array_agg(l.ordinality ORDER BY l.ordinality) INTO v_new FROM leaders l JOIN inserted i ON i.id = l.id;

        IF v_new IS NOT NULL THEN
          INSERT INTO outbox (event_id, topic, message_key, payload)
          SELECT (g.event->>'id')::uuid, p_topic, g.unit_code, g.event
          FROM unnest(v_new) AS n(ord) JOIN unnest(v_group) WITH ORDINALITY AS g ON g.ordinality = n.ord
          ORDER BY n.ord;
        END IF;

        -- Each input row's outcome, in input order: created, else duplicate or conflict by the stored row's body hash.
        RETURN QUERY
          WITH g AS (
            SELECT x.ordinality, x.id, x.unit_code, x.service_record_id, x.stage, x.body_hash, n.ord IS NOT NULL AS created
            FROM unnest(v_group) WITH ORDINALITY AS x LEFT JOIN unnest(v_new) AS n(ord) ON n.ord = x.ordinality
          )
          SELECT CASE WHEN g.created THEN 'created' WHEN r.body_hash = g.body_hash THEN 'duplicate' ELSE 'conflict' END,
            CASE WHEN g.created THEN g.id ELSE r.id END
          FROM g LEFT JOIN reviews r
            ON NOT g.created AND r.unit_code = g.unit_code AND r.service_record_id = g.service_record_id AND r.stage = g.stage
              AND r.channel <> 'HOTLINE_12345'
          ORDER BY g.ordinality;
      END
      $fn$`);
  }
}
