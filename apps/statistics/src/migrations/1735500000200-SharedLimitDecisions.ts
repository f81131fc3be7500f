import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `decide_limits(decisions, now)` in this service's schema, as intake's LimitDecisionsInTheWrite1735500000000
 * defines it in intake's: the shared limits' one rule (libs/database/src/shared-limits.ts sends every statement
 * of decisions to the function of its service's schema), so that a decision works on every service's store;
 * a copy by rule, since a migration is history and imports nothing.
 */
export class SharedLimitDecisions1735500000200 implements MigrationInterface {
  name = 'SharedLimitDecisions1735500000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION statistics.decide_limits(p_decisions json, p_now bigint)
      RETURNS TABLE (req integer, check_idx integer, charge_idx integer, allowed boolean, consumed integer, ms_left bigint)
      LANGUAGE plpgsql
      SET plan_cache_mode = force_generic_plan
      AS $fn$
      DECLARE
        v_decisions jsonb := p_decisions::jsonb;  -- parsed once
        v_all_allowed boolean;
        v_req integer[];     -- the fast path's answer, a charge each
        v_idx integer[];
        v_consumed integer[];
        v_ms bigint[];
        v_keys text[];       -- the fallback's state: the charged keys, in key order
        v_index jsonb;       -- key -> its position in v_keys
        v_points integer[];  -- each key's count as the decisions go
        v_expire bigint[];   -- each key's window end
        v_dec record;
        v_chk record;
        v_chg record;
        v_at integer;
        v_refused boolean;
        v_taken integer[];   -- this decision's charges: position of the key, cost, refundable (1/0), by threes
        v_n integer;
      BEGIN
        -- Most calls refuse nothing. Then taking the decisions one after another is the same as taking every
        -- charge at once: one upsert per key (in key order: replicas deciding overlapping keys queue on the rows,
        -- never deadlock), each charge reading its key's final count less what the charges after it added, each
        -- check its key's count before its decision. A call in which this finds anything refused is taken again
        -- one decision at a time below, since a refusal changes what the later decisions read (nothing charged,
        -- or refundable charges given back); the rows stay locked, so that is exact.
        WITH d AS (
          SELECT (e.o - 1)::integer AS req, e.v AS decision
            FROM jsonb_array_elements(v_decisions) WITH ORDINALITY AS e(v, o)
           WHERE jsonb_typeof(e.v) = 'object'
        ), ch AS (
          SELECT d.req, (c.o - 1)::integer AS idx, c.v->>0 AS key, (c.v->>1)::integer AS cost, (c.v->>2)::bigint AS ms,
                 (c.v->>3)::integer AS lim
            FROM d CROSS JOIN LATERAL jsonb_array_elements(d.decision->'charges') WITH ORDINALITY AS c(v, o)
        ), ck AS MATERIALIZED ( -- joined as a whole (hashed), never once per decision
          SELECT d.req, c.v->>0 AS key, (c.v->>1)::integer AS lim
            FROM d CROSS JOIN LATERAL jsonb_array_elements(d.decision->'checks') AS c(v)
        ), charged AS (
          INSERT INTO statistics.rate_limits AS r (key, points, expire)
          SELECT ch.key, sum(ch.cost)::integer, p_now + max(ch.ms) FROM ch GROUP BY ch.key ORDER BY ch.key
          ON CONFLICT (key) DO UPDATE SET
            points = CASE WHEN r.expire <= p_now THEN excluded.points ELSE r.points + excluded.points END,
            expire = CASE WHEN r.expire <= p_now THEN excluded.expire ELSE r.expire END
          RETURNING r.key, r.points, r.expire
        ), running AS (
          SELECT ch.req, ch.idx, ch.lim, c.expire - p_now AS ms_left,
                 c.points - (sum(ch.cost) OVER (PARTITION BY ch.key ORDER BY ch.req DESC, ch.idx DESC) - ch.cost) AS consumed
            FROM ch JOIN charged c ON c.key = ch.key
        ), used_up AS (
          SELECT 1 FROM ck
            LEFT JOIN charged c ON c.key = ck.key
            LEFT JOIN statistics.rate_limits r ON r.key = ck.key -- as before this statement
           WHERE CASE WHEN c.key IS NOT NULL
                   THEN c.points - coalesce((SELECT sum(x.cost) FROM ch x WHERE x.key = ck.key AND x.req >= ck.req), 0) >= ck.lim
                   ELSE r.points >= ck.lim AND (r.expire IS NULL OR r.expire > p_now)
                 END
        )
        SELECT NOT EXISTS (SELECT 1 FROM used_up) AND coalesce(bool_and(r.consumed <= r.lim), true),
               array_agg(r.req ORDER BY r.req, r.idx), array_agg(r.idx ORDER BY r.req, r.idx),
               array_agg(r.consumed ORDER BY r.req, r.idx), array_agg(r.ms_left ORDER BY r.req, r.idx)
          INTO v_all_allowed, v_req, v_idx, v_consumed, v_ms
          FROM running r;

        IF v_all_allowed THEN
          RETURN QUERY SELECT x.req, NULL::integer, x.idx, true, x.consumed, x.ms_left
            FROM unnest(v_req, v_idx, v_consumed, v_ms) AS x(req, idx, consumed, ms_left);
          RETURN;
        END IF;

        -- One decision at a time, from the counts before this call: the locked rows less what it charged.
        SELECT array_agg(k.key ORDER BY k.key), jsonb_object_agg(k.key, k.n), array_agg(k.before ORDER BY k.key),
               array_agg(k.expire ORDER BY k.key)
          INTO v_keys, v_index, v_points, v_expire
          FROM (
            SELECT w.key, row_number() OVER (ORDER BY w.key) AS n, r.points - w.cost AS before, r.expire
              FROM (SELECT c->>0 AS key, sum((c->>1)::integer)::integer AS cost
                      FROM jsonb_array_elements(v_decisions) AS d, jsonb_array_elements(d->'charges') AS c
                     WHERE jsonb_typeof(d) = 'object'
                     GROUP BY 1) w
              JOIN statistics.rate_limits r ON r.key = w.key
          ) k;
        v_index := coalesce(v_index, '{}'::jsonb);

        FOR v_dec IN
          SELECT (d.ordinality - 1)::integer AS req, d.value AS decision
            FROM jsonb_array_elements(v_decisions) WITH ORDINALITY AS d
           WHERE jsonb_typeof(d.value) = 'object'
           ORDER BY d.ordinality
        LOOP
          -- The refusing check: a used-up key, the one whose window ends last (counts of this call first).
          SELECT c.idx, c.points, c.expire INTO v_chk
            FROM (
              SELECT (ck.ordinality - 1)::integer AS idx, (ck.value->>1)::integer AS lim,
                     coalesce(v_points[(v_index->>(ck.value->>0))::integer], r.points) AS points,
                     CASE WHEN v_index ? (ck.value->>0) THEN v_expire[(v_index->>(ck.value->>0))::integer] ELSE r.expire END AS expire,
                     (v_index ? (ck.value->>0)) AS local
                FROM jsonb_array_elements(v_dec.decision->'checks') WITH ORDINALITY AS ck
                LEFT JOIN statistics.rate_limits r ON r.key = ck.value->>0 AND NOT (v_index ? (ck.value->>0))
            ) c
           WHERE c.points IS NOT NULL AND c.points >= c.lim
             AND (c.expire IS NULL AND NOT c.local OR c.expire > p_now)
           ORDER BY c.expire DESC NULLS FIRST, c.idx
           LIMIT 1;
          IF FOUND THEN
            req := v_dec.req; check_idx := v_chk.idx; charge_idx := NULL; allowed := false;
            consumed := v_chk.points; ms_left := greatest(0, coalesce(v_chk.expire - p_now, 0));
            RETURN NEXT;
            CONTINUE;
          END IF;

          v_refused := false;
          v_taken := ARRAY[]::integer[];
          FOR v_chg IN
            SELECT (ch.ordinality - 1)::integer AS idx, ch.value->>0 AS key, (ch.value->>1)::integer AS cost,
                   (ch.value->>2)::bigint AS ms, (ch.value->>3)::integer AS lim, coalesce((ch.value->>4)::boolean, false) AS refundable
              FROM jsonb_array_elements(v_dec.decision->'charges') WITH ORDINALITY AS ch
             ORDER BY ch.ordinality
          LOOP
            v_at := (v_index->>v_chg.key)::integer;
            v_points[v_at] := v_points[v_at] + v_chg.cost;
            IF v_points[v_at] > v_chg.lim THEN v_refused := true; END IF;
            v_taken := v_taken || ARRAY[v_at, v_chg.cost, CASE WHEN v_chg.refundable THEN 1 ELSE 0 END];
            req := v_dec.req; check_idx := NULL; charge_idx := v_chg.idx; allowed := v_points[v_at] <= v_chg.lim;
            consumed := v_points[v_at]; ms_left := v_expire[v_at] - p_now;
            RETURN NEXT;
          END LOOP;
          IF v_refused THEN
            FOR v_n IN 1 .. coalesce(array_length(v_taken, 1), 0) / 3 LOOP
              IF v_taken[v_n * 3] = 1 THEN
                v_points[v_taken[v_n * 3 - 2]] := v_points[v_taken[v_n * 3 - 2]] - v_taken[v_n * 3 - 1];
              END IF;
            END LOOP;
          END IF;
        END LOOP;

        IF v_keys IS NOT NULL THEN
          UPDATE statistics.rate_limits r SET points = s.points, expire = s.expire
            FROM unnest(v_keys, v_points, v_expire) AS s(key, points, expire)
           WHERE r.key = s.key;
        END IF;
      END
      $fn$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION statistics.decide_limits(json, bigint)`);
  }
}
