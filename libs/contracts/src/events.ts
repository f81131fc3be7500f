import Type, { type Static, type TSchema } from 'typebox';
import { CHANNELS, GRADES, HOTLINE_CATEGORIES, STAGES } from './rating.js';

/**
 * The events' `data`, one schema per event: each payload's TypeScript type is derived from its
 * schema (`Static`), and consumers check what arrives against the same schema (schemas.ts), so
 * the shape exists once. Plain JSON Schema (TypeBox), compiled once per process.
 * A property that "may be null" is `nullable(…)`; an optional one (an extension added after
 * version 1, absent in older events) is `Type.Optional(…)`.
 */
const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const uuid = () => Type.String({ format: 'uuid' });
/** An RFC 3339 date-time, as `Date.prototype.toISOString` writes it. */
const instant = () => Type.String({ format: 'date-time' });
const code = () => Type.String({ minLength: 1 });

/**
 * Contact details travel between services only encrypted (AES-256-GCM with the
 * shared data key) plus a masked form for display; see libs/common crypto.
 */
export const ContactPayloadSchema = Type.Object({
  maskedName: nullable(Type.String()),
  maskedPhone: nullable(Type.String()),
  /** base64url ciphertext of `{ name, phone }`, or null when there is no contact. */
  sealed: nullable(Type.String()),
});
export type ContactPayload = Static<typeof ContactPayloadSchema>;

export const CASE_OUTCOMES = ['RECTIFIED', 'EXPLAINED', 'APPEAL_UPHELD'] as const;
export type CaseOutcome = (typeof CASE_OUTCOMES)[number];

/**
 * How a previous platform handled an imported bad review (POST /imports/ratings `handling`): it
 * opens no case, and the figures (responded on time, rectified, upheld) come from it.
 * `respondedOnTime` is always resolved by intake (given, or judged by the working-day calendar).
 */
export const ReviewHandlingSchema = Type.Object({
  respondedAt: instant(),
  respondedOnTime: Type.Boolean(),
  outcome: Type.Enum(CASE_OUTCOMES),
  closedAt: nullable(instant()),
});
export type ReviewHandling = Static<typeof ReviewHandlingSchema>;

/** data of `gov.review.submitted` (topic reviews.submitted), version 1. */
export const ReviewSubmittedSchema = Type.Object({
  reviewId: uuid(),
  unitCode: code(),
  unitName: Type.String(),
  channel: Type.Enum(CHANNELS),
  /** 1–5 for PAD ratings; null for hotline complaints (graded BAD). */
  level: nullable(Type.Enum([1, 2, 3, 4, 5] as const)),
  grade: Type.Enum(GRADES),
  tags: Type.Array(Type.String()),
  serviceItemCode: nullable(Type.String()),
  serviceItemName: nullable(Type.String()),
  serviceRecordId: nullable(Type.String()),
  windowNo: nullable(Type.String()),
  staffId: nullable(Type.String()),
  comment: nullable(Type.String()),
  /** When the citizen rated (PAD) or the hotline received the matter. */
  ratedAt: instant(),
  /** When the matter reached the unit: PAD receipt time or hotline transferredAt. */
  receivedAt: instant(),
  suspect: Type.Boolean(),
  suspectReason: nullable(Type.String()),
  ticketId: nullable(Type.String()),
  hotlineClientId: nullable(Type.String()),
  /** A 12345 transfer's category (HOTLINE_CATEGORIES); null for every other review. */
  category: nullable(Type.Enum(HOTLINE_CATEGORIES)),
  dueAt: nullable(instant()),
  contact: ContactPayloadSchema,
  /**
   * Hotline complaints only (optional, added by intake): when 12345 itself received the
   * matter. `ratedAt` and `receivedAt` of a hotline review are its `transferredAt`, so that
   * quarters follow transferredAt (API.md § Statistics) and the deadline clock starts there.
   */
  hotlineReceivedAt: Type.Optional(nullable(instant())),
  /** True for a rating brought in from a previous platform (POST /imports/ratings); absent or false otherwise. */
  imported: Type.Optional(Type.Boolean()),
  /** An imported bad review the previous platform handled: no case opens for it (ReviewHandlingSchema). */
  handling: Type.Optional(ReviewHandlingSchema),
  /** The stage of the matter rated (一事一评); absent in older events and on 12345 transfers, which rate no stage (read as COMPLETION). */
  stage: Type.Optional(Type.Enum(STAGES)),
});
export type ReviewSubmittedData = Static<typeof ReviewSubmittedSchema>;

/**
 * data of `gov.unit.registered` (topic reviews.submitted, key = unit code): a unit entered the
 * registry. Statistics lists every registered unit in every report from these events. It rides on
 * reviews.submitted so that, keyed by the unit code, it precedes the unit's reviews in their
 * partition, and no deployment has a topic to create for it.
 */
export const UnitRegisteredSchema = Type.Object({
  unitCode: code(),
  unitName: code(),
  registeredAt: instant(),
});
export type UnitRegisteredData = Static<typeof UnitRegisteredSchema>;

/**
 * data of `gov.unit.updated` (topic reviews.submitted, key = unit code): an admin renamed a unit, or
 * disabled or re-enabled it (PATCH /units/{code}); the unit as it stands after the change. The code
 * never changes. `disabledAt` is when it was disabled (null while enabled): statistics lists a disabled
 * unit only in periods it was active in (docs/guide.md § Units). Consumers take the latest event of a
 * unit as the truth about it, so a redelivered or repeated one changes nothing.
 */
export const UnitUpdatedSchema = Type.Object({
  unitCode: code(),
  unitName: code(),
  disabled: Type.Boolean(),
  disabledAt: nullable(instant()),
  updatedAt: instant(),
});
export type UnitUpdatedData = Static<typeof UnitUpdatedSchema>;

/** data of `gov.review.suspect-changed` (topic reviews.submitted). */
export const ReviewSuspectChangedSchema = Type.Object({
  reviewId: uuid(),
  unitCode: code(),
  suspect: Type.Boolean(),
  reason: nullable(Type.String()),
});
export type ReviewSuspectChangedData = Static<typeof ReviewSuspectChangedSchema>;

/** data of `gov.unresolved.reported` (topic unresolved.reported). */
export const UnresolvedReportedSchema = Type.Object({
  reportId: uuid(),
  unitCode: code(),
  unitName: Type.String(),
  matter: Type.String(),
  description: Type.String(),
  serviceItemCode: nullable(Type.String()),
  reportedAt: instant(),
  reportedBy: Type.String(),
  contact: ContactPayloadSchema,
});
export type UnresolvedReportedData = Static<typeof UnresolvedReportedSchema>;

export const CASE_SOURCES = ['BAD_REVIEW', 'HOTLINE', 'UNRESOLVED'] as const;
export type CaseSource = (typeof CASE_SOURCES)[number];
export const CASE_STATUSES = ['PENDING', 'ACCEPTED', 'RESPONDED', 'RECTIFIED', 'CLOSED', 'APPEALING'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

const caseLifecycleProperties = {
  caseId: uuid(),
  source: Type.Enum(CASE_SOURCES),
  unitCode: code(),
  reviewId: nullable(uuid()),
  reportId: nullable(uuid()),
  ticketId: nullable(Type.String()),
  status: Type.Enum(CASE_STATUSES),
  outcome: nullable(Type.Enum(CASE_OUTCOMES)),
  openedAt: instant(),
  responseDueAt: instant(),
  rectifyDueAt: instant(),
  respondedAt: nullable(instant()),
  respondedOnTime: nullable(Type.Boolean()),
  rectifiedAt: nullable(instant()),
  closedAt: nullable(instant()),
  overdue: Type.Boolean(),
  reopenedCount: Type.Integer({ minimum: 0 }),
  /** Monotonic per case: consumers ignore older versions. */
  version: Type.Integer({ minimum: 1 }),
  actor: Type.String(),
  /** Always null: what units and supervisors write as notes is internal and stays in the case timeline (API.md). */
  note: nullable(Type.String()),
  /**
   * Extension (optional; absent means false): a computed deadline rests on a day of a provisional
   * calendar year, derived from the statutory rules because its arrangement is not published or
   * confirmed yet. `gov.case.deadline-changed` follows when that year is confirmed.
   */
  deadlineProvisional: Type.Optional(Type.Boolean()),
  /**
   * Extension (optional; absent in older events): the 问题分类 code the unit chose at its latest rectify
   * (rectification's GET /problem-categories), null before and for cases rectified before categories existed.
   */
  problemCategory: Type.Optional(nullable(code())),
};

/** data of every `gov.case.*` event (topic cases.lifecycle): the case as it stands after the change. */
export const CaseLifecycleSchema = Type.Object(caseLifecycleProperties);
export type CaseLifecycleData = Static<typeof CaseLifecycleSchema>;

/**
 * data of `gov.case.deadline-changed` (topic cases.lifecycle): the case after its deadlines were
 * computed again because a calendar year changed (published, confirmed or corrected), with the
 * deadlines it had before.
 */
export const CaseDeadlineChangedSchema = Type.Object({
  ...caseLifecycleProperties,
  previousResponseDueAt: instant(),
  previousRectifyDueAt: instant(),
  previousDeadlineProvisional: Type.Boolean(),
  /** The calendar year whose change moved the deadlines. */
  calendarYear: Type.Integer({ minimum: 2000, maximum: 2100 }),
  /** CONFIRMED: an admin confirmed or corrected the year; PUBLISHED: the holiday package published it. */
  calendarChange: Type.Enum(['CONFIRMED', 'PUBLISHED'] as const),
});
export type CaseDeadlineChangedData = Static<typeof CaseDeadlineChangedSchema>;

/**
 * data of `gov.case.publication-changed` (topic cases.publication): what a unit chose to publish of a
 * closed case as a 以评促改 example on the public pages. `matter` and `measures` are the only texts
 * that leave rectification for the public, and only while `publishable` is true.
 */
export const CasePublicationSchema = Type.Object({
  caseId: uuid(),
  unitCode: code(),
  unitName: Type.String(),
  source: Type.Enum(CASE_SOURCES),
  publishable: Type.Boolean(),
  matter: nullable(Type.String()),
  measures: nullable(Type.String()),
  outcome: nullable(Type.Enum(CASE_OUTCOMES)),
  openedAt: instant(),
  closedAt: nullable(instant()),
  /** Monotonic per case (the case's version): consumers ignore older ones. */
  version: Type.Integer({ minimum: 1 }),
});
export type CasePublicationData = Static<typeof CasePublicationSchema>;

/**
 * data of `gov.hotline-client.registered` / `.revoked` (topic registry.hotline-clients):
 * rectification keeps its own copy to authenticate ticket queries and sign replies.
 * The secret travels only sealed with the shared data key.
 */
export const HotlineClientSchema = Type.Object({
  clientId: uuid(),
  name: Type.String(),
  callbackUrl: nullable(Type.String()),
  secretSealed: code(),
  revoked: Type.Boolean(),
});
export type HotlineClientData = Static<typeof HotlineClientSchema>;

/** data of `gov.event.dead-lettered` (topic events.dead-letter): an event a consumer could not apply, with why. */
export const DeadLetterSchema = Type.Object({
  consumer: Type.String(),
  topic: Type.String(),
  reason: Type.String(),
  event: Type.Unknown(),
});
export type DeadLetterData = Static<typeof DeadLetterSchema>;

/** What an audit entry is about, in the words of the console (labels.ts AUDIT_ACTION_LABELS). */
export const AUDIT_ACTIONS = [
  'LOGIN',
  'LOGIN_FAILED',
  'ACCOUNT_LOCKED',
  'ACCOUNT_UNLOCKED',
  'LOGOUT',
  'REFRESH_REUSED',
  'PASSWORD_CHANGED',
  'USER_CREATED',
  'USER_UPDATED',
  'PASSWORD_RESET',
  'SUSPECT_CLEARED',
  'SUSPECT_CONFIRMED',
  'UNIT_CREATED',
  'UNIT_UPDATED',
  'DEVICE_REGISTERED',
  'DEVICE_REVOKED',
  'PAIRING_CODE_ISSUED',
  'HOTLINE_CLIENT_REGISTERED',
  'HOTLINE_CLIENT_REVOKED',
  'RATINGS_IMPORTED',
  'CALENDAR_CONFIRMED',
  'CASE_PUBLICATION_CHANGED',
  'CONTACT_REVEALED',
  'QUARTER_PUBLISHED',
  'BULLETIN_LINK_CREATED',
  'PERSONAL_DATA_ERASED',
  'PLATFORM_CLIENT_REGISTERED',
  'PLATFORM_CLIENT_REVOKED',
  'PROBLEM_CATEGORY_CHANGED',
  'PROBLEM_CLASS_OPENED',
  'PROBLEM_CLASS_CASES_CHANGED',
  'IMPROVEMENT_ACTION_ASSIGNED',
  'IMPROVEMENT_ACTION_REPORTED',
  'IMPROVEMENT_ACTION_ACCEPTED',
  'IMPROVEMENT_ACTION_RETURNED',
  'EVENTS_REPLAYED',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/**
 * data of `gov.audit.recorded` (topic audit.recorded, key = the unit code or `audit`): a person's
 * action in rectification or statistics, for intake's audit log (the one log of every admin action
 * and every reveal of personal data). Only the actor's `sub` and role travel: intake names the
 * person when the log is read. `summary` is the line the console shows, in Chinese.
 */
export const AuditRecordedSchema = Type.Object({
  action: Type.Enum(AUDIT_ACTIONS),
  actorSub: code(),
  actorRole: code(),
  summary: Type.String({ minLength: 1, maxLength: 1000 }),
  /** The case, quarter or year acted on, and what was decided (reason, fields revealed): plain values. */
  detail: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null(), Type.Array(Type.String())])),
  at: instant(),
});
export type AuditRecordedData = Static<typeof AuditRecordedSchema>;

/** A 类问题 is OPEN until every one of its improvement actions is accepted (and it has at least one): then SOLVED. */
export const PROBLEM_CLASS_STATUSES = ['OPEN', 'SOLVED'] as const;
export type ProblemClassStatus = (typeof PROBLEM_CLASS_STATUSES)[number];

/**
 * An improvement action (优化一类服务) assigned to a unit: ASSIGNED → REPORTED (the unit reports it done, with evidence)
 * → ACCEPTED (the supervisor accepts it) or RETURNED (sent back, with why) → REPORTED again.
 */
export const IMPROVEMENT_ACTION_STATUSES = ['ASSIGNED', 'REPORTED', 'ACCEPTED', 'RETURNED'] as const;
export type ImprovementActionStatus = (typeof IMPROVEMENT_ACTION_STATUSES)[number];

/**
 * data of every `gov.problem-class.*` event (topic problem-classes.lifecycle, key = the class id): the class as it stands
 * after the step — its cases (with their units) and its actions — so that a consumer needs no other event to know it.
 * Descriptions, action texts, evidence and notes are internal: they stay in rectification.
 */
export const ProblemClassSchema = Type.Object({
  classId: uuid(),
  title: Type.String({ minLength: 1 }),
  /** The 问题分类 of the class (rectification's GET /problem-categories). */
  categoryCode: code(),
  status: Type.Enum(PROBLEM_CLASS_STATUSES),
  openedAt: instant(),
  /** When the last outstanding action was accepted; null while OPEN. */
  solvedAt: nullable(instant()),
  cases: Type.Array(Type.Object({ caseId: uuid(), unitCode: code() })),
  actions: Type.Array(
    Type.Object({
      actionId: uuid(),
      unitCode: code(),
      status: Type.Enum(IMPROVEMENT_ACTION_STATUSES),
      dueAt: instant(),
      reportedAt: nullable(instant()),
      acceptedAt: nullable(instant()),
    }),
  ),
  /** The action the step was about (assigned, reported, accepted, returned — or the accept that solved the class); null otherwise. */
  actionId: nullable(uuid()),
  /** Monotonic per class: consumers ignore older versions. */
  version: Type.Integer({ minimum: 1 }),
  actor: Type.String(),
});
export type ProblemClassData = Static<typeof ProblemClassSchema>;

/**
 * data of `gov.problem-category.changed` (topic problem-classes.lifecycle, key = `problem-categories`): an admin added or
 * changed a 问题分类; statistics keeps the names it reports categories by (the default set is seeded on both sides).
 */
export const ProblemCategoryChangedSchema = Type.Object({
  code: code(),
  parentCode: nullable(code()),
  name: Type.String({ minLength: 1 }),
  sort: Type.Integer(),
  retired: Type.Boolean(),
});
export type ProblemCategoryChangedData = Static<typeof ProblemCategoryChangedSchema>;
