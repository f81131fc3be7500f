import type { Channel, Grade, RatingLevel } from './rating.js';

/**
 * Contact details travel between services only encrypted (AES-256-GCM with the
 * shared data key) plus a masked form for display; see libs/common crypto.
 */
export interface ContactPayload {
  maskedName: string | null;
  maskedPhone: string | null;
  /** base64url ciphertext of `{ name, phone }`, or null when there is no contact. */
  sealed: string | null;
}

/** data of `gov.review.submitted` (topic reviews.submitted), version 1. */
export interface ReviewSubmittedData {
  reviewId: string;
  unitCode: string;
  unitName: string;
  channel: Channel;
  /** 1–5 for PAD ratings; null for hotline complaints (graded BAD). */
  level: RatingLevel | null;
  grade: Grade;
  tags: string[];
  serviceItemCode: string | null;
  serviceItemName: string | null;
  serviceRecordId: string | null;
  windowNo: string | null;
  staffId: string | null;
  comment: string | null;
  /** When the citizen rated (PAD) or the hotline received the matter. */
  ratedAt: string;
  /** When the matter reached the unit: PAD receipt time or hotline transferredAt. */
  receivedAt: string;
  suspect: boolean;
  suspectReason: string | null;
  ticketId: string | null;
  hotlineClientId: string | null;
  category: string | null;
  dueAt: string | null;
  contact: ContactPayload;
  /**
   * Hotline complaints only (optional, added by intake): when 12345 itself received the
   * matter. `ratedAt` and `receivedAt` of a hotline review are its `transferredAt`, so that
   * quarters follow transferredAt (API.md § Statistics) and the deadline clock starts there.
   */
  hotlineReceivedAt?: string | null;
  /** True for a rating brought in from a previous platform (POST /imports/ratings); absent or false otherwise. */
  imported?: boolean;
}

/**
 * data of `gov.unit.registered` (topic reviews.submitted, key = unit code): a unit entered the
 * registry. Statistics lists every registered unit in every report from these events. It rides on
 * reviews.submitted so that, keyed by the unit code, it precedes the unit's reviews in their
 * partition, and no deployment has a topic to create for it.
 */
export interface UnitRegisteredData {
  unitCode: string;
  unitName: string;
  registeredAt: string;
}

/** data of `gov.review.suspect-changed` (topic reviews.submitted). */
export interface ReviewSuspectChangedData {
  reviewId: string;
  unitCode: string;
  suspect: boolean;
  reason: string | null;
}

/** data of `gov.unresolved.reported` (topic unresolved.reported). */
export interface UnresolvedReportedData {
  reportId: string;
  unitCode: string;
  unitName: string;
  matter: string;
  description: string;
  serviceItemCode: string | null;
  reportedAt: string;
  reportedBy: string;
  contact: ContactPayload;
}

export type CaseSource = 'BAD_REVIEW' | 'HOTLINE' | 'UNRESOLVED';
export type CaseStatus = 'PENDING' | 'ACCEPTED' | 'RESPONDED' | 'RECTIFIED' | 'CLOSED' | 'APPEALING';
export type CaseOutcome = 'RECTIFIED' | 'EXPLAINED' | 'APPEAL_UPHELD';

/** data of every `gov.case.*` event (topic cases.lifecycle): the case as it stands after the change. */
export interface CaseLifecycleData {
  caseId: string;
  source: CaseSource;
  unitCode: string;
  reviewId: string | null;
  reportId: string | null;
  ticketId: string | null;
  status: CaseStatus;
  outcome: CaseOutcome | null;
  openedAt: string;
  responseDueAt: string;
  rectifyDueAt: string;
  respondedAt: string | null;
  respondedOnTime: boolean | null;
  rectifiedAt: string | null;
  closedAt: string | null;
  overdue: boolean;
  reopenedCount: number;
  /** Monotonic per case: consumers ignore older versions. */
  version: number;
  actor: string;
  /** Always null: what units and supervisors write as notes is internal and stays in the case timeline (API.md). */
  note: string | null;
  /**
   * Extension (optional; absent means false): a computed deadline rests on a day of a provisional
   * calendar year, derived from the statutory rules because its arrangement is not published or
   * confirmed yet. `gov.case.deadline-changed` follows when that year is confirmed.
   */
  deadlineProvisional?: boolean;
}

/**
 * data of `gov.case.deadline-changed` (topic cases.lifecycle): the case after its deadlines were
 * computed again because a calendar year changed (published, confirmed or corrected), with the
 * deadlines it had before.
 */
export interface CaseDeadlineChangedData extends CaseLifecycleData {
  previousResponseDueAt: string;
  previousRectifyDueAt: string;
  previousDeadlineProvisional: boolean;
  /** The calendar year whose change moved the deadlines. */
  calendarYear: number;
  /** CONFIRMED: an admin confirmed or corrected the year; PUBLISHED: the holiday package published it. */
  calendarChange: 'CONFIRMED' | 'PUBLISHED';
}

/**
 * data of `gov.hotline-client.registered` / `.revoked` (topic registry.hotline-clients):
 * rectification keeps its own copy to authenticate ticket queries and sign replies.
 * The secret travels only sealed with the shared data key.
 */
export interface HotlineClientData {
  clientId: string;
  name: string;
  callbackUrl: string | null;
  secretSealed: string;
  revoked: boolean;
}
