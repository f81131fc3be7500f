import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  type CloudEvent,
  type ContactPayload,
  Events,
  type Grade,
  type RatingChannel,
  type RatingLevel,
  type ReviewHandling,
  type ReviewSubmittedData,
  type Stage,
  type ReviewSuspectChangedData,
  Topics,
} from '#libs/contracts';
import type { Decided, DecisionRow, PreparedDecision } from '#libs/database';
import { type OutboxEntry, OutboxService } from '#libs/messaging';
import {
  ARRIVAL_BURST_MAX_RATINGS,
  ARRIVAL_BURST_REASON,
  ARRIVAL_BURST_WINDOW_SECONDS,
  BURST_MAX_RATINGS,
  BURST_REASON,
  BURST_WINDOW_SECONDS,
} from './rating-rules.js';

/**
 * A validated rating, ready to store. From a PAD, unit and window come from the device, never the body; from a
 * platform client (channel ONLINE), the unit is the body's and there is no device.
 */
export interface PreparedRating {
  id: string;
  unitCode: string;
  unitName: string;
  channel: RatingChannel;
  /** The stage of the matter rated: one rating per (unit, service record, stage) across channels. */
  stage: Stage;
  deviceId: string | null;
  /** The signed platform client that pushed it (ONLINE); null for a PAD. */
  platformClientId: string | null;
  /** Whom the 刷评 check counts it against: the device for a PAD, platformBurstKey(client, unit) for a pushed rating. */
  burstKey: string;
  windowNo: string | null;
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
  /** A live single rating (POST /ratings): its arrival counts for the 刷评 check; false for offline batch items. */
  live: boolean;
  /** The device's limits, decided in the statement that writes the rating (refused: outcome `limited`); null when decided before. */
  limits?: PreparedDecision | null;
}

/** A validated rating from a previous platform: the unit (and window, when given) from the import, no device. */
export type PreparedImport = Omit<PreparedRating, 'deviceId' | 'burstKey' | 'platformClientId' | 'limits'> & {
  deviceId: null;
  burstKey: null;
  platformClientId: null;
  /** How the previous platform handled this bad review (stored in reviews.handling by write_imported_ratings from the event). */
  handling?: ReviewHandling;
};

/** What became of a rating the write reached: stored now, stored before with the same body, or with another. */
export type StoredOutcome = { kind: 'created' | 'duplicate' | 'conflict'; id: string };

/** A rating's outcome, or its refusal by its limits (nothing written): the decision says which and for how long. */
export type WriteOutcome = StoredOutcome | { kind: 'limited'; decided: Decided };

/** One row of write_pad_ratings()'s, write_pad_ratings_limited()'s or write_imported_ratings()'s answer, in the order of the group. */
interface OutcomeRow {
  outcome: WriteOutcome['kind'];
  review_id: string;
  /** write_pad_ratings_limited: a refused rating's decision rows. */
  limits?: DecisionRow[] | null;
}

/**
 * Stores ratings (PADs and pushed ones alike): a coalesced group of single requests, or an offline batch, in ONE
 * round trip. The SQL lives in intake migrations — write_pad_ratings as ChannelsAndStages1734600000000 last defined
 * it (and write_pad_ratings_limited, LimitDecisionsInTheWrite1735500000000, around it for a group carrying device
 * limits), write_imported_ratings as WriteImportedRatingsChannelsHandling1734600000200 did: one multi-row INSERT … ON
 * CONFLICT, burst locks and flags, and the outbox events, run as one statement in its own implicit transaction.
 * What stays here is what must stay defined in TypeScript: the burst rules and the event envelopes.
 */
@Injectable()
export class RatingsRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
  ) {}

  /**
   * Writes the group and answers each rating's own outcome, in order. The statement runs in
   * autocommit, so it has committed when this resolves (the caller may answer its client).
   */
  async writeGroup(rows: PreparedRating[]): Promise<WriteOutcome[]> {
    const limited = rows.some((r) => r.limits);
    const write = [
      // One json parameter: far cheaper to encode and parse than one escaped array literal per column.
      JSON.stringify(rows.map(groupRow)),
      `${BURST_WINDOW_SECONDS} seconds`,
      BURST_MAX_RATINGS,
      BURST_REASON,
      `${ARRIVAL_BURST_WINDOW_SECONDS} seconds`,
      ARRIVAL_BURST_MAX_RATINGS,
      ARRIVAL_BURST_REASON,
      Topics.ReviewsSubmitted, // the outbox topic of both event types (as suspectChangedEvent's), keyed by unit code
      JSON.stringify(burstSuspectChangedTemplate()),
    ];
    const results = limited
      ? await this.dataSource.query<OutcomeRow[]>(
          `SELECT outcome, review_id, limits FROM write_pad_ratings_limited($1::json, $2::bigint, ${WRITE_PARAMETERS(3)})`,
          [JSON.stringify(rows.map((r) => r.limits?.wire ?? null)), Date.now(), ...write],
        )
      : await this.dataSource.query<OutcomeRow[]>(`SELECT outcome, review_id FROM write_pad_ratings(${WRITE_PARAMETERS(1)})`, write);
    if (results.length !== rows.length) throw new Error(`write_pad_ratings answered ${results.length} outcomes for ${rows.length} ratings`);
    const outcomes = results.map((r, i): WriteOutcome => {
      // Committed: each decision carried by the group has been made (those not refused answer no rows).
      const decided = rows[i]!.limits?.settle(r.limits ?? []);
      return r.outcome === 'limited' ? { kind: 'limited', decided: decided! } : { kind: r.outcome, id: r.review_id };
    });
    // Committed: wake the relay for the events written (there are some whenever a rating was created).
    if (outcomes.some((o) => o.kind === 'created')) this.outbox.notifyAdded();
    return outcomes;
  }

  /** Writes imported ratings (no burst check) in one round trip and answers each one's outcome, in order; committed on return. */
  async writeImported(rows: PreparedImport[]): Promise<StoredOutcome[]> {
    const results = await this.dataSource.query<OutcomeRow[]>(`SELECT outcome, review_id FROM write_imported_ratings($1::json, $2::text)`, [
      JSON.stringify(rows.map(groupRow)),
      Topics.ReviewsSubmitted,
    ]);
    if (results.length !== rows.length)
      throw new Error(`write_imported_ratings answered ${results.length} outcomes for ${rows.length} ratings`);
    const outcomes = results.map((r): StoredOutcome => ({ kind: r.outcome as StoredOutcome['kind'], id: r.review_id }));
    if (outcomes.some((o) => o.kind === 'created')) this.outbox.notifyAdded();
    return outcomes;
  }
}

/** write_pad_ratings' nine parameters, numbered from `first`. */
const WRITE_PARAMETERS = (first: number) =>
  ['json', 'interval', 'integer', 'text', 'interval', 'integer', 'text', 'text', 'jsonb']
    .map((type, i) => `$${first + i}::${type}`)
    .join(', ');

/** A group element as write_pad_ratings / write_imported_ratings read it (the pad_rating_in type): the review's columns and its event. */
function groupRow(r: PreparedRating | PreparedImport) {
  const event = submittedEvent(r);
  return {
    id: r.id,
    unit_code: r.unitCode,
    channel: r.channel,
    stage: r.stage,
    burst_key: r.burstKey,
    platform_client_id: r.platformClientId,
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
    contact_masked_name: r.contact.maskedName,
    contact_masked_phone: r.contact.maskedPhone,
    rated_at: event.data.ratedAt,
    received_at: event.data.receivedAt,
    body_hash: r.bodyHash,
    live: r.live,
    // Built for every row, though only the rows that get inserted use it: the SQL decides which.
    event,
  };
}

/** The rating's gov.review.submitted envelope, unflagged: write_pad_ratings sets data.suspect and data.suspectReason when the burst check flags it. */
function submittedEvent(r: PreparedRating | PreparedImport): CloudEvent<ReviewSubmittedData> {
  const data: ReviewSubmittedData = {
    reviewId: r.id,
    unitCode: r.unitCode,
    unitName: r.unitName,
    channel: r.channel,
    stage: r.stage,
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
    suspect: false,
    suspectReason: null,
    ticketId: null,
    hotlineClientId: null,
    category: null,
    dueAt: null,
    contact: r.contact,
    ...(r.burstKey === null ? { imported: true } : {}),
    ...('handling' in r && r.handling ? { handling: r.handling } : {}),
  };
  return Events.reviewSubmitted(data, { subject: r.id });
}

export function suspectChangedEvent(data: ReviewSuspectChangedData): OutboxEntry {
  return {
    topic: Topics.ReviewsSubmitted,
    key: data.unitCode,
    event: Events.reviewSuspectChanged(data, { subject: data.reviewId }),
  };
}

/**
 * The gov.review.suspect-changed envelope of a stored rating flagged retroactively by a later
 * burst: write_pad_ratings gives each such rating its own id, subject, data.reviewId, data.unitCode
 * and data.reason (the rule's that flagged it).
 */
function burstSuspectChangedTemplate(): CloudEvent {
  return suspectChangedEvent({ reviewId: '', unitCode: '', suspect: true, reason: BURST_REASON }).event;
}
