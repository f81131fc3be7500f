import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 刷评 on arrival: besides ratedAt, the burst check now also looks at when live single ratings
 * arrived (50 ratings in 1.2 s claiming ratedAt 11 s apart were all stored unflagged). Offline
 * batch items keep only the ratedAt rule: a backlog arrives at once by nature.
 *
 * - reviews.live marks a live single rating (POST /ratings); earlier rows stay false (unknown).
 * - pad_rating_in gains `live`.
 * - write_pad_ratings is replaced: the arrival window, limit and reason are parameters (rating-rules.ts),
 *   each flagged rating carries the reason of the rule that flagged it (the ratedAt rule's when both do),
 *   in its row, its submitted event and its suspect-changed event.
 */
export class ArrivalBurstCheck1733300000000 implements MigrationInterface {
  name = 'ArrivalBurstCheck1733300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE reviews ADD COLUMN live boolean NOT NULL DEFAULT false`);
    await q.query(`CREATE INDEX reviews_live_arrival_idx ON reviews (device_id, received_at) WHERE live`);
    await q.query(`ALTER TYPE pad_rating_in ADD ATTRIBUTE live boolean`);
    await q.query(`DROP FUNCTION write_pad_ratings(json, interval, integer, text, text, jsonb)`);
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
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION write_pad_ratings(json, interval, integer, text, interval, integer, text, text, jsonb)`);
    await q.query(`ALTER TYPE pad_rating_in DROP ATTRIBUTE live`);
    await q.query(`DROP INDEX reviews_live_arrival_idx`);
    await q.query(`ALTER TABLE reviews DROP COLUMN live`);
    // The ratedAt rule alone, exactly as WritePadRatingsFunction1732579200000 created it.
    await q.query(`
      CREATE FUNCTION write_pad_ratings(
        p_ratings json,             -- array of pad_rating_in
        p_burst_window interval,
        p_burst_max integer,
        p_burst_reason text,
        p_topic text,               -- outbox topic of both event types, keyed by unit code
        p_suspect_changed jsonb     -- gov.review.suspect-changed envelope (suspect true, p_burst_reason) to fill per rating
      ) RETURNS TABLE (outcome text, review_id uuid, reason text)
      LANGUAGE plpgsql
      -- Plan each statement for the group at hand: a cached generic plan does not know how few rows the
      -- group arrays hold and can pick sequential scans of reviews (seen under load: thousands of them).
      SET plan_cache_mode = force_custom_plan
      AS $fn$
      DECLARE
        v_group pad_rating_in[];
        v_new bigint[];                  -- positions in v_group of the rows inserted here
        v_flagged_new uuid[];            -- ... of those, the ones the burst check flagged
        v_flagged_earlier uuid[];        -- stored ratings the burst check flagged retroactively
        v_flagged_earlier_units text[];
        v_row record;
      BEGIN
        v_group := ARRAY(
          SELECT json_populate_record(NULL::pad_rating_in, e.value)
          FROM json_array_elements(p_ratings) WITH ORDINALITY AS e
          ORDER BY e.ordinality);

        -- One leader per (unit, service record): the group's first row of it. The others are judged
        -- against what is stored. Inserted in key order, so concurrent groups never wait for each other's keys in a cycle.
        WITH leaders AS (
          SELECT DISTINCT ON (g.unit_code, g.service_record_id) g.*
          FROM unnest(v_group) WITH ORDINALITY AS g
          ORDER BY g.unit_code, g.service_record_id, g.ordinality
        ), inserted AS (
          INSERT INTO reviews (id, unit_code, channel, service_record_id, service_item_code, service_item_name, staff_id,
            window_no, device_id, level, grade, tags, comment, contact_sealed, contact_masked_name, contact_masked_phone,
            rated_at, received_at, body_hash)
          SELECT l.id, l.unit_code, 'PAD', l.service_record_id, l.service_item_code, l.service_item_name, l.staff_id,
            l.window_no, l.device_id, l.level, l.grade, l.tags, l.comment, l.contact_sealed, l.contact_masked_name,
            l.contact_masked_phone, l.rated_at, l.received_at, l.body_hash
          FROM leaders l
          ORDER BY l.unit_code, l.service_record_id
          ON CONFLICT (unit_code, service_record_id) WHERE channel = 'PAD' DO NOTHING
          RETURNING reviews.id
        )
        SELECT array_agg(l.ordinality ORDER BY l.ordinality) INTO v_new FROM leaders l JOIN inserted i ON i.id = l.id;

        IF v_new IS NOT NULL THEN
          -- 刷评: a per-device lock, in one order for every writer, taken after the insert, so that
          -- concurrent writers of one device see each other's committed rows in the UPDATE below.
          PERFORM count(pg_advisory_xact_lock(hashtextextended('intake-device:' || d.device_id, 0)))
          FROM (
            SELECT DISTINCT g.device_id::text AS device_id
            FROM unnest(v_new) AS n(ord) JOIN unnest(v_group) WITH ORDINALITY AS g ON g.ordinality = n.ord
            ORDER BY 1
          ) d;

          -- Flags every rating of those devices in a window of p_burst_window holding more than p_burst_max
          -- of the device's ratings (by rated_at), earlier ones retroactively, except ratings a supervisor cleared.
          WITH new_rows AS (
            SELECT g.id, g.device_id, g.rated_at
            FROM unnest(v_new) AS n(ord) JOIN unnest(v_group) WITH ORDINALITY AS g ON g.ordinality = n.ord
          ), b AS (
            SELECT device_id, min(rated_at) AS lo, max(rated_at) AS hi FROM new_rows GROUP BY device_id
          ), w AS (
            -- LATERAL per device keeps this an index range scan on (device_id, rated_at), whatever the table size.
            SELECT r.id, r.device_id, r.rated_at, r.suspect, r.suspect_cleared_at,
              count(*) OVER (PARTITION BY r.device_id ORDER BY r.rated_at
                RANGE BETWEEN CURRENT ROW AND p_burst_window FOLLOWING) AS in_window
            FROM b CROSS JOIN LATERAL (
              SELECT x.id, x.device_id, x.rated_at, x.suspect, x.suspect_cleared_at FROM reviews x
              WHERE x.device_id = b.device_id AND x.rated_at BETWEEN b.lo - p_burst_window AND b.hi + p_burst_window
            ) r
          ), starts AS (
            SELECT device_id, rated_at FROM w WHERE in_window > p_burst_max
          ), flagged AS (
            UPDATE reviews r SET suspect = true, suspect_reason = p_burst_reason
            FROM w
            WHERE r.id = w.id AND NOT w.suspect AND w.suspect_cleared_at IS NULL
              AND EXISTS (SELECT 1 FROM starts s
                          WHERE s.device_id = w.device_id AND w.rated_at BETWEEN s.rated_at AND s.rated_at + p_burst_window)
            RETURNING r.id, r.unit_code
          )
          SELECT array_agg(f.id) FILTER (WHERE nr.id IS NOT NULL),
            array_agg(f.id) FILTER (WHERE nr.id IS NULL),
            array_agg(f.unit_code) FILTER (WHERE nr.id IS NULL)
          INTO v_flagged_new, v_flagged_earlier, v_flagged_earlier_units
          FROM flagged f LEFT JOIN new_rows nr ON nr.id = f.id;

          -- A gov.review.submitted event per inserted row (its suspect fields patched when flagged), then a
          -- gov.review.suspect-changed event per earlier rating flagged retroactively, in the same transaction.
          INSERT INTO outbox (event_id, topic, message_key, payload)
          SELECT (e.payload->>'id')::uuid, p_topic, e.unit_code, e.payload
          FROM (
            SELECT 1 AS part, n.ord AS seq, g.unit_code,
              CASE WHEN f.id IS NULL THEN g.event
                ELSE g.event || jsonb_build_object('data',
                  (g.event->'data') || jsonb_build_object('suspect', true, 'suspectReason', p_burst_reason))
              END AS payload
            FROM unnest(v_new) AS n(ord) JOIN unnest(v_group) WITH ORDINALITY AS g ON g.ordinality = n.ord
              LEFT JOIN unnest(v_flagged_new) AS f(id) ON f.id = g.id
            UNION ALL
            SELECT 2, c.seq, c.unit_code,
              p_suspect_changed || jsonb_build_object('id', gen_random_uuid(), 'subject', c.id,
                'data', (p_suspect_changed->'data') || jsonb_build_object('reviewId', c.id, 'unitCode', c.unit_code))
            FROM unnest(v_flagged_earlier, v_flagged_earlier_units) WITH ORDINALITY AS c(id, unit_code, seq)
          ) e
          ORDER BY e.part, e.seq;
        END IF;

        -- Each input row's outcome, in input order: created (the inserted leader), else judged by the
        -- body hash of the row stored under its key: duplicate (same) or conflict (different).
        FOR v_row IN
          WITH g AS (
            SELECT x.ordinality, x.id, x.unit_code, x.service_record_id, x.body_hash, n.ord IS NOT NULL AS created
            FROM unnest(v_group) WITH ORDINALITY AS x LEFT JOIN unnest(v_new) AS n(ord) ON n.ord = x.ordinality
          ), stored AS (
            -- Looked up for the other rows only (a new snapshot: it sees the rows ON CONFLICT stepped aside for).
            SELECT g.ordinality, r.id, r.body_hash
            FROM g JOIN reviews r
              ON r.unit_code = g.unit_code AND r.service_record_id = g.service_record_id AND r.channel = 'PAD'
            WHERE NOT g.created
          )
          SELECT g.created, g.id, g.body_hash, f.id IS NOT NULL AS flagged, s.id AS stored_id, s.body_hash AS stored_hash
          FROM g
            LEFT JOIN stored s ON s.ordinality = g.ordinality
            LEFT JOIN unnest(v_flagged_new) AS f(id) ON f.id = g.id AND g.created
          ORDER BY g.ordinality
        LOOP
          IF v_row.created THEN
            outcome := 'created';
            review_id := v_row.id;
            reason := CASE WHEN v_row.flagged THEN p_burst_reason END;
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
  }
}
