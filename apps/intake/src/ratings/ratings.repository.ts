import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  createCloudEvent,
  EventSources,
  EventTypes,
  type ContactPayload,
  type Grade,
  type RatingLevel,
  type ReviewSubmittedData,
  type ReviewSuspectChangedData,
  Topics,
} from '#libs/contracts';
import { type OutboxEntry, OutboxService } from '#libs/messaging';
import { BURST_MAX_RATINGS, BURST_REASON, BURST_WINDOW_SECONDS } from './rating-rules.js';

/** A validated PAD rating, ready to store: unit and window come from the device, never the body. */
export interface PreparedRating {
  id: string;
  unitCode: string;
  unitName: string;
  deviceId: string;
  windowNo: string;
  serviceRecordId: string;
  serviceItemCode: string;
  serviceItemName: string | null;
  staffId: string | null;
  level: RatingLevel;
  grade: Grade;
  tags: string[];
  comment: string | null;
  contact: ContactPayload;
  ratedAt: Date;
  receivedAt: Date;
  bodyHash: string;
}

export type WriteOutcome =
  | { kind: 'created'; id: string; suspect: boolean; suspectReason: string | null }
  | { kind: 'duplicate'; id: string }
  | { kind: 'conflict'; id: string };

const keyOf = (r: { unitCode: string; serviceRecordId: string }) => `${r.unitCode}\u0000${r.serviceRecordId}`;

/**
 * The SQL of storing PAD ratings: many ratings in one transaction (a coalesced group of
 * single requests, or an offline batch) with one multi-row INSERT … ON CONFLICT, burst
 * detection, and one outbox insert. Each rating still gets its own exact outcome.
 */
@Injectable()
export class RatingsRepository {
  constructor(private readonly outbox: OutboxService) {}

  async writeGroup(manager: EntityManager, rows: PreparedRating[]): Promise<WriteOutcome[]> {
    // One leader per (unit, serviceRecordId); later rows with the same key are judged against the stored row.
    const leaders = new Map<string, PreparedRating>();
    for (const row of rows) if (!leaders.has(keyOf(row))) leaders.set(keyOf(row), row);
    const toInsert = [...leaders.values()];

    const inserted = new Set(
      (
        (await manager.query(
          // One JSON parameter parsed by json_to_recordset: far cheaper than 18 escaped array literals for large groups.
          `INSERT INTO reviews (id, unit_code, channel, service_record_id, service_item_code, service_item_name, staff_id,
             window_no, device_id, level, grade, tags, comment, contact_sealed, contact_masked_name, contact_masked_phone,
             rated_at, received_at, body_hash)
           SELECT t.id, t.unit_code, 'PAD', t.service_record_id, t.service_item_code, t.service_item_name, t.staff_id,
             t.window_no, t.device_id, t.level, t.grade, t.tags, t.comment, t.contact_sealed, t.masked_name, t.masked_phone,
             t.rated_at, t.received_at, t.body_hash
           FROM json_to_recordset($1::json) AS t(id uuid, unit_code text, service_record_id text, service_item_code text,
             service_item_name text, staff_id text, window_no text, device_id uuid, level smallint, grade text, tags text[],
             comment text, contact_sealed text, masked_name text, masked_phone text, rated_at timestamptz, received_at timestamptz,
             body_hash text)
           ORDER BY t.unit_code, t.service_record_id
           ON CONFLICT (unit_code, service_record_id) WHERE channel = 'PAD' DO NOTHING
           RETURNING id`,
          [
            JSON.stringify(
              toInsert.map((r) => ({
                id: r.id,
                unit_code: r.unitCode,
                service_record_id: r.serviceRecordId,
                service_item_code: r.serviceItemCode,
                service_item_name: r.serviceItemName,
                staff_id: r.staffId,
                window_no: r.windowNo,
                device_id: r.deviceId,
                level: r.level,
                grade: r.grade,
                tags: r.tags,
                comment: r.comment,
                contact_sealed: r.contact.sealed,
                masked_name: r.contact.maskedName,
                masked_phone: r.contact.maskedPhone,
                rated_at: r.ratedAt.toISOString(),
                received_at: r.receivedAt.toISOString(),
                body_hash: r.bodyHash,
              })),
            ),
          ],
        )) as Array<{ id: string }>
      ).map((r) => r.id),
    );

    // What is stored under each key: our own insert, or the row that was there first.
    const stored = new Map<string, { id: string; hash: string }>();
    const existingKeys = toInsert.filter((r) => !inserted.has(r.id));
    for (const r of toInsert) if (inserted.has(r.id)) stored.set(keyOf(r), { id: r.id, hash: r.bodyHash });
    if (existingKeys.length) {
      const existing = (await manager.query(
        `SELECT r.id, r.unit_code, r.service_record_id, r.body_hash
         FROM reviews r JOIN unnest($1::text[], $2::text[]) AS k(unit_code, service_record_id)
           ON r.unit_code = k.unit_code AND r.service_record_id = k.service_record_id
         WHERE r.channel = 'PAD'`,
        [existingKeys.map((r) => r.unitCode), existingKeys.map((r) => r.serviceRecordId)],
      )) as Array<{ id: string; unit_code: string; service_record_id: string; body_hash: string }>;
      for (const e of existing)
        stored.set(keyOf({ unitCode: e.unit_code, serviceRecordId: e.service_record_id }), { id: e.id, hash: e.body_hash });
      if (existingKeys.some((r) => !stored.has(keyOf(r)))) throw new Error('conflicting rating vanished during insert');
    }

    const flagged = inserted.size
      ? await this.flagBursts(
          manager,
          toInsert.filter((r) => inserted.has(r.id)),
        )
      : new Map<string, FlaggedRow>();

    const events: OutboxEntry[] = [];
    for (const r of toInsert) {
      if (!inserted.has(r.id)) continue;
      const flag = flagged.get(r.id);
      events.push(submittedEvent(r, flag?.suspect_reason ?? null));
      flagged.delete(r.id);
    }
    for (const f of flagged.values())
      events.push(suspectChangedEvent({ reviewId: f.id, unitCode: f.unit_code, suspect: true, reason: f.suspect_reason }));
    await this.outbox.add(manager, events);

    const suspectOf = new Map(
      events
        .filter((e) => e.event.type === EventTypes.ReviewSubmitted)
        .map((e) => [(e.event.data as ReviewSubmittedData).reviewId, e.event.data as ReviewSubmittedData]),
    );
    const claimed = new Set<string>();
    return rows.map((row): WriteOutcome => {
      const s = stored.get(keyOf(row))!;
      if (s.id === row.id && inserted.has(row.id) && !claimed.has(row.id)) {
        claimed.add(row.id);
        const data = suspectOf.get(row.id)!;
        return { kind: 'created', id: row.id, suspect: data.suspect, suspectReason: data.suspectReason };
      }
      return s.hash === row.bodyHash ? { kind: 'duplicate', id: s.id } : { kind: 'conflict', id: s.id };
    });
  }

  /**
   * Flags every rating of the devices just written that lies in a window of
   * BURST_WINDOW_SECONDS holding more than BURST_MAX_RATINGS of the device's ratings
   * (by ratedAt), except ratings a supervisor has cleared. Earlier ratings of a burst
   * are flagged retroactively. A per-device advisory lock, taken after the insert,
   * makes concurrent writers of one device see each other's committed rows.
   */
  private async flagBursts(manager: EntityManager, rows: PreparedRating[]): Promise<Map<string, FlaggedRow>> {
    const bounds = new Map<string, { lo: number; hi: number }>();
    for (const r of rows) {
      const t = r.ratedAt.getTime();
      const b = bounds.get(r.deviceId);
      if (!b) bounds.set(r.deviceId, { lo: t, hi: t });
      else {
        b.lo = Math.min(b.lo, t);
        b.hi = Math.max(b.hi, t);
      }
    }
    const devices = [...bounds.keys()].sort();
    await manager.query(
      `SELECT count(pg_advisory_xact_lock(hashtextextended('intake-device:' || d, 0))) FROM (SELECT d FROM unnest($1::text[]) AS d ORDER BY d) s`,
      [devices],
    );
    const window = `interval '${BURST_WINDOW_SECONDS} seconds'`;
    const flagged = (await manager.query(
      `WITH b AS (
         SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[]) AS b(device_id, lo, hi)
       ), w AS (
         -- LATERAL per device keeps this an index range scan on (device_id, rated_at), whatever the table size.
         SELECT r.id, r.device_id, r.rated_at, r.suspect, r.suspect_cleared_at,
           count(*) OVER (PARTITION BY r.device_id ORDER BY r.rated_at RANGE BETWEEN CURRENT ROW AND ${window} FOLLOWING) AS n
         FROM b CROSS JOIN LATERAL (
           SELECT x.id, x.device_id, x.rated_at, x.suspect, x.suspect_cleared_at FROM reviews x
           WHERE x.device_id = b.device_id AND x.rated_at BETWEEN b.lo - ${window} AND b.hi + ${window}
         ) r
       ), starts AS (
         SELECT device_id, rated_at FROM w WHERE n > ${BURST_MAX_RATINGS}
       )
       UPDATE reviews r SET suspect = true, suspect_reason = $4
       FROM w
       WHERE r.id = w.id AND NOT w.suspect AND w.suspect_cleared_at IS NULL
         AND EXISTS (SELECT 1 FROM starts s WHERE s.device_id = w.device_id AND w.rated_at BETWEEN s.rated_at AND s.rated_at + ${window})
       RETURNING r.id, r.unit_code, r.suspect_reason`,
      [
        devices,
        devices.map((d) => new Date(bounds.get(d)!.lo).toISOString()),
        devices.map((d) => new Date(bounds.get(d)!.hi).toISOString()),
        BURST_REASON,
      ],
    )) as [FlaggedRow[], number] | FlaggedRow[];
    const list = Array.isArray(flagged[0]) ? (flagged[0] as FlaggedRow[]) : (flagged as FlaggedRow[]);
    return new Map(list.map((f) => [f.id, f]));
  }
}

interface FlaggedRow {
  id: string;
  unit_code: string;
  suspect_reason: string;
}

function submittedEvent(r: PreparedRating, suspectReason: string | null): OutboxEntry {
  const data: ReviewSubmittedData = {
    reviewId: r.id,
    unitCode: r.unitCode,
    unitName: r.unitName,
    channel: 'PAD',
    level: r.level,
    grade: r.grade,
    tags: r.tags,
    serviceItemCode: r.serviceItemCode,
    serviceItemName: r.serviceItemName,
    serviceRecordId: r.serviceRecordId,
    windowNo: r.windowNo,
    staffId: r.staffId,
    comment: r.comment,
    ratedAt: r.ratedAt.toISOString(),
    receivedAt: r.receivedAt.toISOString(),
    suspect: suspectReason !== null,
    suspectReason,
    ticketId: null,
    hotlineClientId: null,
    category: null,
    dueAt: null,
    contact: r.contact,
  };
  return {
    topic: Topics.ReviewsSubmitted,
    key: r.unitCode,
    event: createCloudEvent({ type: EventTypes.ReviewSubmitted, source: EventSources.Intake, subject: r.id, data }),
  };
}

export function suspectChangedEvent(data: ReviewSuspectChangedData): OutboxEntry {
  return {
    topic: Topics.ReviewsSubmitted,
    key: data.unitCode,
    event: createCloudEvent({ type: EventTypes.ReviewSuspectChanged, source: EventSources.Intake, subject: data.reviewId, data }),
  };
}
