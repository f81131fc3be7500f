import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Channels and 一事一评 (API.md § Channels and 一事一评): one rating per matter and stage, whatever the channel.
 *
 * - reviews.stage (ACCEPTANCE | COMPLETION, every earlier row COMPLETION) and one unique key
 *   (unit_code, service_record_id, stage) over every channel but 12345 transfers (keyed by ticket), in place of
 *   the PAD-only (unit_code, service_record_id): the first rating of a matter's stage wins, from whichever channel.
 * - reviews.platform_client_id: the signed platform client that pushed the rating (online platform), else null.
 * - reviews.burst_key: whom the 刷评 check counts a rating against — the device for a PAD (so a PAD's windows,
 *   locks and flags are exactly as before), one per (platform client, unit) for a pushed rating; backfilled
 *   from device_id. Its indexes take over from the device ones the check used.
 * - pad_rating_in gains channel, stage, burst_key and platform_client_id; write_pad_ratings and
 *   write_imported_ratings are replaced: same parameters and answers, the channel and stage stored as given,
 *   conflicts judged on the new key (a PAD group carries channel PAD and its stage, COMPLETION by default).
 */
export class ChannelsAndStages1734600000000 implements MigrationInterface {
  name = 'ChannelsAndStages1734600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE reviews ADD COLUMN stage text NOT NULL DEFAULT 'COMPLETION'`);
    await q.query(`ALTER TABLE reviews ADD COLUMN platform_client_id uuid`);
    await q.query(`ALTER TABLE reviews ADD COLUMN burst_key uuid`);
    await q.query(`UPDATE reviews SET burst_key = device_id WHERE device_id IS NOT NULL`);
    await q.query(
      `CREATE UNIQUE INDEX reviews_matter_stage_uq ON reviews (unit_code, service_record_id, stage) WHERE channel <> 'HOTLINE_12345'`,
    );
    await q.query(`DROP INDEX reviews_pad_record_uq`);
    await q.query(`CREATE INDEX reviews_burst_rated_idx ON reviews (burst_key, rated_at) WHERE burst_key IS NOT NULL`);
    await q.query(`CREATE INDEX reviews_burst_arrival_idx ON reviews (burst_key, received_at) WHERE live`);
    await q.query(`DROP INDEX reviews_live_arrival_idx`);
    await q.query(`ALTER TYPE pad_rating_in ADD ATTRIBUTE channel text`);
    await q.query(`ALTER TYPE pad_rating_in ADD ATTRIBUTE stage text`);
    await q.query(`ALTER TYPE pad_rating_in ADD ATTRIBUTE burst_key uuid`);
    await q.query(`ALTER TYPE pad_rating_in ADD ATTRIBUTE platform_client_id uuid`);
    await q.query(`DROP FUNCTION write_pad_ratings(json, interval, integer, text, interval, integer, text, text, jsonb)`);
    await q.query(`
      CREATE FUNCTION write_pad_ratings(
        p_ratings json,             -- array of pad_rating_in
        p_burst_window interval,    -- ratedAt rule
        p_burst_max integer,
        p_burst_reason text,
        p_arrival_window interval,  -- arrival rule (live single ratings only)
        p_arrival_max integer,
        p_arrival_reason text,
        p_topic text,               -- outbox topic of both event types, keyed by unit code
        p_suspect_changed jsonb     -- gov.review.suspect-changed envelope (suspect true) to fill per rating
      ) RETURNS TABLE (outcome text, review_id uuid, reason text)
      LANGUAGE plpgsql
      SET plan_cache_mode = force_custom_plan
      AS $fn$
      DECLARE
        v_group pad_rating_in[];
        v_new bigint[];                  -- positions in v_group of the rows inserted here
        v_flagged_new uuid[];            -- ... of those, the ones the burst check flagged
        v_flagged_new_reasons text[];
        v_flagged_earlier uuid[];        -- stored ratings the burst check flagged retroactively
        v_flagged_earlier_units text[];
        v_flagged_earlier_reasons text[];
        v_row record;
      BEGIN
        v_group := ARRAY(
          SELECT json_populate_record(NULL::pad_rating_in, e.value)
          FROM json_array_elements(p_ratings) WITH ORDINALITY AS e
          ORDER BY e.ordinality);

        WITH leaders AS (
          SELECT DISTINCT ON (g.unit_code, g.service_record_id, g.stage) g.*
          FROM unnest(v_group) WITH ORDINALITY AS g
          ORDER BY g.unit_code, g.service_record_id, g.stage, g.ordinality
        ), inserted AS (
          INSERT INTO reviews (id, unit_code, channel, service_record_id, service_item_code, service_item_name, staff_id,
            window_no, device_id, level, grade, tags, comment, contact_sealed, contact_masked_name, contact_masked_phone,
            rated_at, received_at, body_hash, live, stage, burst_key, platform_client_id)
          SELECT l.id, l.unit_code, l.channel, l.service_record_id, l.service_item_code, l.service_item_name, l.staff_id,
            l.window_no, l.device_id, l.level, l.grade, l.tags, l.comment, l.contact_sealed, l.contact_masked_name,
            l.contact_masked_phone, l.rated_at, l.received_at, l.body_hash, coalesce(l.live, false),
            l.stage, l.burst_key, l.platform_client_id
          FROM leaders l
          ORDER BY l.unit_code, l.service_record_id, l.stage
          ON CONFLICT (unit_code, service_record_id, stage) WHERE channel <> 'HOTLINE_12345' DO NOTHING
          RETURNING reviews.id
        )
        SELECT array_agg(l.ordinality ORDER BY l.ordinality) INTO v_new FROM leaders l JOIN inserted i ON i.id = l.id;

        IF v_new IS NOT NULL THEN
          PERFORM count(pg_advisory_xact_lock(hashtextextended('intake-device:' || d.burst_key, 0)))
          FROM (
            SELECT DISTINCT g.burst_key::text AS burst_key
            FROM unnest(v_new) AS n(ord) JOIN unnest(v_group) WITH ORDINALITY AS g ON g.ordinality = n.ord
            ORDER BY 1
          ) d;

          -- Two rules, each over windows that can hold a new rating (LATERAL per device: index range scans):
          -- by rated_at over all the device's ratings, and by received_at over its live ones. Earlier ratings are
          -- flagged retroactively; a rating already suspect or cleared by a supervisor is left alone.
          WITH new_rows AS (
            SELECT g.id, g.burst_key, g.rated_at, g.received_at, coalesce(g.live, false) AS live
            FROM unnest(v_new) AS n(ord) JOIN unnest(v_group) WITH ORDINALITY AS g ON g.ordinality = n.ord
          ), b AS (
            SELECT burst_key, min(rated_at) AS lo, max(rated_at) AS hi FROM new_rows GROUP BY burst_key
          ), w AS (
            SELECT r.id, r.burst_key, r.rated_at, r.suspect, r.suspect_cleared_at,
              count(*) OVER (PARTITION BY r.burst_key ORDER BY r.rated_at
                RANGE BETWEEN CURRENT ROW AND p_burst_window FOLLOWING) AS in_window
            FROM b CROSS JOIN LATERAL (
              SELECT x.id, x.burst_key, x.rated_at, x.suspect, x.suspect_cleared_at FROM reviews x
              WHERE x.burst_key = b.burst_key AND x.rated_at BETWEEN b.lo - p_burst_window AND b.hi + p_burst_window
            ) r
          ), starts AS (
            SELECT burst_key, rated_at FROM w WHERE in_window > p_burst_max
          ), by_rated AS (
            SELECT w.id FROM w
            WHERE NOT w.suspect AND w.suspect_cleared_at IS NULL
              AND EXISTS (SELECT 1 FROM starts s
                          WHERE s.burst_key = w.burst_key AND w.rated_at BETWEEN s.rated_at AND s.rated_at + p_burst_window)
          ), la AS (
            SELECT burst_key, min(received_at) AS lo, max(received_at) AS hi FROM new_rows WHERE live GROUP BY burst_key
          ), wa AS (
            SELECT r.id, r.burst_key, r.received_at, r.suspect, r.suspect_cleared_at,
              count(*) OVER (PARTITION BY r.burst_key ORDER BY r.received_at
                RANGE BETWEEN CURRENT ROW AND p_arrival_window FOLLOWING) AS in_window
            FROM la CROSS JOIN LATERAL (
              SELECT x.id, x.burst_key, x.received_at, x.suspect, x.suspect_cleared_at FROM reviews x
              WHERE x.burst_key = la.burst_key AND x.live
                AND x.received_at BETWEEN la.lo - p_arrival_window AND la.hi + p_arrival_window
            ) r
          ), astarts AS (
            SELECT burst_key, received_at FROM wa WHERE in_window > p_arrival_max
          ), by_arrival AS (
            SELECT wa.id FROM wa
            WHERE NOT wa.suspect AND wa.suspect_cleared_at IS NULL
              AND EXISTS (SELECT 1 FROM astarts s
                          WHERE s.burst_key = wa.burst_key AND wa.received_at BETWEEN s.received_at AND s.received_at + p_arrival_window)
          ), to_flag AS (
            SELECT id, p_burst_reason AS reason FROM by_rated
            UNION ALL
            SELECT a.id, p_arrival_reason FROM by_arrival a WHERE NOT EXISTS (SELECT 1 FROM by_rated r WHERE r.id = a.id)
          ), flagged AS (
            UPDATE reviews r SET suspect = true, suspect_reason = t.reason
            FROM to_flag t
            WHERE r.id = t.id
            RETURNING r.id, r.unit_code, r.suspect_reason
          )
          SELECT array_agg(f.id) FILTER (WHERE nr.id IS NOT NULL),
            array_agg(f.suspect_reason) FILTER (WHERE nr.id IS NOT NULL),
            array_agg(f.id) FILTER (WHERE nr.id IS NULL),
            array_agg(f.unit_code) FILTER (WHERE nr.id IS NULL),
            array_agg(f.suspect_reason) FILTER (WHERE nr.id IS NULL)
          INTO v_flagged_new, v_flagged_new_reasons, v_flagged_earlier, v_flagged_earlier_units, v_flagged_earlier_reasons
          FROM flagged f LEFT JOIN new_rows nr ON nr.id = f.id;

          INSERT INTO outbox (event_id, topic, message_key, payload)
          SELECT (e.payload->>'id')::uuid, p_topic, e.unit_code, e.payload
          FROM (
            SELECT 1 AS part, n.ord AS seq, g.unit_code,
              CASE WHEN f.id IS NULL THEN g.event
                ELSE g.event || jsonb_build_object('data',
                  (g.event->'data') || jsonb_build_object('suspect', true, 'suspectReason', f.reason))
              END AS payload
            FROM unnest(v_new) AS n(ord) JOIN unnest(v_group) WITH ORDINALITY AS g ON g.ordinality = n.ord
              LEFT JOIN unnest(v_flagged_new, v_flagged_new_reasons) AS f(id, reason) ON f.id = g.id
            UNION ALL
            SELECT 2, c.seq, c.unit_code,
              p_suspect_changed || jsonb_build_object('id', gen_random_uuid(), 'subject', c.id,
                'data', (p_suspect_changed->'data') || jsonb_build_object('reviewId', c.id, 'unitCode', c.unit_code, 'reason', c.reason))
            FROM unnest(v_flagged_earlier, v_flagged_earlier_units, v_flagged_earlier_reasons) WITH ORDINALITY AS c(id, unit_code, reason, seq)
          ) e
          ORDER BY e.part, e.seq;
        END IF;

        FOR v_row IN
          WITH g AS (
            SELECT x.ordinality, x.id, x.unit_code, x.service_record_id, x.stage, x.body_hash, n.ord IS NOT NULL AS created
            FROM unnest(v_group) WITH ORDINALITY AS x LEFT JOIN unnest(v_new) AS n(ord) ON n.ord = x.ordinality
          ), stored AS (
            SELECT g.ordinality, r.id, r.body_hash
            FROM g JOIN reviews r
              ON r.unit_code = g.unit_code AND r.service_record_id = g.service_record_id AND r.stage = g.stage
                AND r.channel <> 'HOTLINE_12345'
            WHERE NOT g.created
          )
          SELECT g.created, g.id, g.body_hash, f.reason AS flag_reason, s.id AS stored_id, s.body_hash AS stored_hash
          FROM g
            LEFT JOIN stored s ON s.ordinality = g.ordinality
            LEFT JOIN unnest(v_flagged_new, v_flagged_new_reasons) AS f(id, reason) ON f.id = g.id AND g.created
          ORDER BY g.ordinality
        LOOP
          IF v_row.created THEN
            outcome := 'created';
            review_id := v_row.id;
            reason := v_row.flag_reason;
          ELSIF v_row.stored_id IS NULL THEN
            RAISE EXCEPTION 'conflicting rating vanished during insert';
          ELSE
            outcome := CASE WHEN v_row.stored_hash = v_row.body_hash THEN 'duplicate' ELSE 'conflict' END;
            review_id := v_row.stored_id;
            reason := NULL;
          END IF;
          RETURN NEXT;
        END LOOP;
      END
      $fn$`);
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

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION write_imported_ratings(json, text)`);
    await q.query(`DROP FUNCTION write_pad_ratings(json, interval, integer, text, interval, integer, text, text, jsonb)`);
    await q.query(`ALTER TYPE pad_rating_in DROP ATTRIBUTE platform_client_id`);
    await q.query(`ALTER TYPE pad_rating_in DROP ATTRIBUTE burst_key`);
    await q.query(`ALTER TYPE pad_rating_in DROP ATTRIBUTE stage`);
    await q.query(`ALTER TYPE pad_rating_in DROP ATTRIBUTE channel`);
    await q.query(`CREATE INDEX reviews_live_arrival_idx ON reviews (device_id, received_at) WHERE live`);
    await q.query(`DROP INDEX reviews_burst_arrival_idx`);
    await q.query(`DROP INDEX reviews_burst_rated_idx`);
    // Ratings of other channels or of the acceptance stage cannot live under the PAD-only key: they go with it.
    await q.query(`DELETE FROM reviews WHERE channel NOT IN ('PAD', 'HOTLINE_12345') OR stage <> 'COMPLETION'`);
    await q.query(`CREATE UNIQUE INDEX reviews_pad_record_uq ON reviews (unit_code, service_record_id) WHERE channel = 'PAD'`);
    await q.query(`DROP INDEX reviews_matter_stage_uq`);
    await q.query(`ALTER TABLE reviews DROP COLUMN burst_key`);
    await q.query(`ALTER TABLE reviews DROP COLUMN platform_client_id`);
    await q.query(`ALTER TABLE reviews DROP COLUMN stage`);
    // As ArrivalBurstCheck1733300000000 and WriteImportedRatingsFunction1733200500000 created them.
    await q.query(`
      CREATE FUNCTION write_pad_ratings(
        p_ratings json,             -- array of pad_rating_in
        p_burst_window interval,    -- ratedAt rule
        p_burst_max integer,
        p_burst_reason text,
        p_arrival_window interval,  -- arrival rule (live single ratings only)
        p_arrival_max integer,
        p_arrival_reason text,
        p_topic text,               -- outbox topic of both event types, keyed by unit code
        p_suspect_changed jsonb     -- gov.review.suspect-changed envelope (suspect true) to fill per rating
      ) RETURNS TABLE (outcome text, review_id uuid, reason text)
      LANGUAGE plpgsql
      SET plan_cache_mode = force_custom_plan
      AS $fn$
      DECLARE
        v_group pad_rating_in[];
        v_new bigint[];                  -- positions in v_group of the rows inserted here
        v_flagged_new uuid[];            -- ... of those, the ones the burst check flagged
        v_flagged_new_reasons text[];
        v_flagged_earlier uuid[];        -- stored ratings the burst check flagged retroactively
        v_flagged_earlier_units text[];
        v_flagged_earlier_reasons text[];
        v_row record;
      BEGIN
        v_group := ARRAY(
          SELECT json_populate_record(NULL::pad_rating_in, e.value)
          FROM json_array_elements(p_ratings) WITH ORDINALITY AS e
          ORDER BY e.ordinality);

        WITH leaders AS (
          SELECT DISTINCT ON (g.unit_code, g.service_record_id) g.*
          FROM unnest(v_group) WITH ORDINALITY AS g
          ORDER BY g.unit_code, g.service_record_id, g.ordinality
        ), inserted AS (
          INSERT INTO reviews (id, unit_code, channel, service_record_id, service_item_code, service_item_name, staff_id,
            window_no, device_id, level, grade, tags, comment, contact_sealed, contact_masked_name, contact_masked_phone,
            rated_at, received_at, body_hash, live)
          SELECT l.id, l.unit_code, 'PAD', l.service_record_id, l.service_item_code, l.service_item_name, l.staff_id,
            l.window_no, l.device_id, l.level, l.grade, l.tags, l.comment, l.contact_sealed, l.contact_masked_name,
            l.contact_masked_phone, l.rated_at, l.received_at, l.body_hash, coalesce(l.live, false)
          FROM leaders l
          ORDER BY l.unit_code, l.service_record_id
          ON CONFLICT (unit_code, service_record_id) WHERE channel = 'PAD' DO NOTHING
          RETURNING reviews.id
        )
        SELECT array_agg(l.ordinality ORDER BY l.ordinality) INTO v_new FROM leaders l JOIN inserted i ON i.id = l.id;

        IF v_new IS NOT NULL THEN
          PERFORM count(pg_advisory_xact_lock(hashtextextended('intake-device:' || d.device_id, 0)))
          FROM (
            SELECT DISTINCT g.device_id::text AS device_id
            FROM unnest(v_new) AS n(ord) JOIN unnest(v_group) WITH ORDINALITY AS g ON g.ordinality = n.ord
            ORDER BY 1
          ) d;

          -- Two rules, each over windows that can hold a new rating (LATERAL per device: index range scans):
          -- by rated_at over all the device's ratings, and by received_at over its live ones. Earlier ratings are
          -- flagged retroactively; a rating already suspect or cleared by a supervisor is left alone.
          WITH new_rows AS (
            SELECT g.id, g.device_id, g.rated_at, g.received_at, coalesce(g.live, false) AS live
            FROM unnest(v_new) AS n(ord) JOIN unnest(v_group) WITH ORDINALITY AS g ON g.ordinality = n.ord
          ), b AS (
            SELECT device_id, min(rated_at) AS lo, max(rated_at) AS hi FROM new_rows GROUP BY device_id
          ), w AS (
            SELECT r.id, r.device_id, r.rated_at, r.suspect, r.suspect_cleared_at,
              count(*) OVER (PARTITION BY r.device_id ORDER BY r.rated_at
                RANGE BETWEEN CURRENT ROW AND p_burst_window FOLLOWING) AS in_window
            FROM b CROSS JOIN LATERAL (
              SELECT x.id, x.device_id, x.rated_at, x.suspect, x.suspect_cleared_at FROM reviews x
              WHERE x.device_id = b.device_id AND x.rated_at BETWEEN b.lo - p_burst_window AND b.hi + p_burst_window
            ) r
          ), starts AS (
            SELECT device_id, rated_at FROM w WHERE in_window > p_burst_max
          ), by_rated AS (
            SELECT w.id FROM w
            WHERE NOT w.suspect AND w.suspect_cleared_at IS NULL
              AND EXISTS (SELECT 1 FROM starts s
                          WHERE s.device_id = w.device_id AND w.rated_at BETWEEN s.rated_at AND s.rated_at + p_burst_window)
          ), la AS (
            SELECT device_id, min(received_at) AS lo, max(received_at) AS hi FROM new_rows WHERE live GROUP BY device_id
          ), wa AS (
            SELECT r.id, r.device_id, r.received_at, r.suspect, r.suspect_cleared_at,
              count(*) OVER (PARTITION BY r.device_id ORDER BY r.received_at
                RANGE BETWEEN CURRENT ROW AND p_arrival_window FOLLOWING) AS in_window
            FROM la CROSS JOIN LATERAL (
              SELECT x.id, x.device_id, x.received_at, x.suspect, x.suspect_cleared_at FROM reviews x
              WHERE x.device_id = la.device_id AND x.live
                AND x.received_at BETWEEN la.lo - p_arrival_window AND la.hi + p_arrival_window
            ) r
          ), astarts AS (
            SELECT device_id, received_at FROM wa WHERE in_window > p_arrival_max
          ), by_arrival AS (
            SELECT wa.id FROM wa
            WHERE NOT wa.suspect AND wa.suspect_cleared_at IS NULL
              AND EXISTS (SELECT 1 FROM astarts s
                          WHERE s.device_id = wa.device_id AND wa.received_at BETWEEN s.received_at AND s.received_at + p_arrival_window)
          ), to_flag AS (
            SELECT id, p_burst_reason AS reason FROM by_rated
            UNION ALL
            SELECT a.id, p_arrival_reason FROM by_arrival a WHERE NOT EXISTS (SELECT 1 FROM by_rated r WHERE r.id = a.id)
          ), flagged AS (
            UPDATE reviews r SET suspect = true, suspect_reason = t.reason
            FROM to_flag t
            WHERE r.id = t.id
            RETURNING r.id, r.unit_code, r.suspect_reason
          )
          SELECT array_agg(f.id) FILTER (WHERE nr.id IS NOT NULL),
            array_agg(f.suspect_reason) FILTER (WHERE nr.id IS NOT NULL),
            array_agg(f.id) FILTER (WHERE nr.id IS NULL),
            array_agg(f.unit_code) FILTER (WHERE nr.id IS NULL),
            array_agg(f.suspect_reason) FILTER (WHERE nr.id IS NULL)
          INTO v_flagged_new, v_flagged_new_reasons, v_flagged_earlier, v_flagged_earlier_units, v_flagged_earlier_reasons
          FROM flagged f LEFT JOIN new_rows nr ON nr.id = f.id;

          INSERT INTO outbox (event_id, topic, message_key, payload)
          SELECT (e.payload->>'id')::uuid, p_topic, e.unit_code, e.payload
          FROM (
            SELECT 1 AS part, n.ord AS seq, g.unit_code,
              CASE WHEN f.id IS NULL THEN g.event
                ELSE g.event || jsonb_build_object('data',
                  (g.event->'data') || jsonb_build_object('suspect', true, 'suspectReason', f.reason))
              END AS payload
            FROM unnest(v_new) AS n(ord) JOIN unnest(v_group) WITH ORDINALITY AS g ON g.ordinality = n.ord
              LEFT JOIN unnest(v_flagged_new, v_flagged_new_reasons) AS f(id, reason) ON f.id = g.id
            UNION ALL
            SELECT 2, c.seq, c.unit_code,
              p_suspect_changed || jsonb_build_object('id', gen_random_uuid(), 'subject', c.id,
                'data', (p_suspect_changed->'data') || jsonb_build_object('reviewId', c.id, 'unitCode', c.unit_code, 'reason', c.reason))
            FROM unnest(v_flagged_earlier, v_flagged_earlier_units, v_flagged_earlier_reasons) WITH ORDINALITY AS c(id, unit_code, reason, seq)
          ) e
          ORDER BY e.part, e.seq;
        END IF;

        FOR v_row IN
          WITH g AS (
            SELECT x.ordinality, x.id, x.unit_code, x.service_record_id, x.body_hash, n.ord IS NOT NULL AS created
            FROM unnest(v_group) WITH ORDINALITY AS x LEFT JOIN unnest(v_new) AS n(ord) ON n.ord = x.ordinality
          ), stored AS (
            SELECT g.ordinality, r.id, r.body_hash
            FROM g JOIN reviews r
              ON r.unit_code = g.unit_code AND r.service_record_id = g.service_record_id AND r.channel = 'PAD'
            WHERE NOT g.created
          )
          SELECT g.created, g.id, g.body_hash, f.reason AS flag_reason, s.id AS stored_id, s.body_hash AS stored_hash
          FROM g
            LEFT JOIN stored s ON s.ordinality = g.ordinality
            LEFT JOIN unnest(v_flagged_new, v_flagged_new_reasons) AS f(id, reason) ON f.id = g.id AND g.created
          ORDER BY g.ordinality
        LOOP
          IF v_row.created THEN
            outcome := 'created';
            review_id := v_row.id;
            reason := v_row.flag_reason;
          ELSIF v_row.stored_id IS NULL THEN
            RAISE EXCEPTION 'conflicting rating vanished during insert';
          ELSE
            outcome := CASE WHEN v_row.stored_hash = v_row.body_hash THEN 'duplicate' ELSE 'conflict' END;
            review_id := v_row.stored_id;
            reason := NULL;
          END IF;
          RETURN NEXT;
        END LOOP;
      END
      $fn$`);
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
          SELECT DISTINCT ON (g.unit_code, g.service_record_id) g.*
          FROM unnest(v_group) WITH ORDINALITY AS g
          ORDER BY g.unit_code, g.service_record_id, g.ordinality
        ), inserted AS (
          INSERT INTO reviews (id, unit_code, channel, service_record_id, service_item_code, service_item_name, staff_id,
            window_no, device_id, level, grade, tags, comment, contact_sealed, contact_masked_name, contact_masked_phone,
            rated_at, received_at, body_hash, imported)
          SELECT l.id, l.unit_code, 'PAD', l.service_record_id, l.service_item_code, l.service_item_name, l.staff_id,
            l.window_no, NULL, l.level, l.grade, l.tags, l.comment, l.contact_sealed, l.contact_masked_name,
            l.contact_masked_phone, l.rated_at, l.received_at, l.body_hash, true
          FROM leaders l
          ORDER BY l.unit_code, l.service_record_id
          ON CONFLICT (unit_code, service_record_id) WHERE channel = 'PAD' DO NOTHING
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
            SELECT x.ordinality, x.id, x.unit_code, x.service_record_id, x.body_hash, n.ord IS NOT NULL AS created
            FROM unnest(v_group) WITH ORDINALITY AS x LEFT JOIN unnest(v_new) AS n(ord) ON n.ord = x.ordinality
          )
          SELECT CASE WHEN g.created THEN 'created' WHEN r.body_hash = g.body_hash THEN 'duplicate' ELSE 'conflict' END,
            CASE WHEN g.created THEN g.id ELSE r.id END
          FROM g LEFT JOIN reviews r
            ON NOT g.created AND r.unit_code = g.unit_code AND r.service_record_id = g.service_record_id AND r.channel = 'PAD'
          ORDER BY g.ordinality;
      END
      $fn$`);
  }
}
