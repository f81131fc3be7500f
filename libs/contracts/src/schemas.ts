import type { TSchema } from 'typebox';
import { Compile, type Validator } from 'typebox/compile';
import { Settings } from 'typebox/system';
import { type CloudEvent, createCloudEvent } from './cloud-event.js';
import {
  type AuditRecordedData,
  AuditRecordedSchema,
  type CaseDeadlineChangedData,
  CaseDeadlineChangedSchema,
  type CaseLifecycleData,
  CaseLifecycleSchema,
  type CasePublicationData,
  CasePublicationSchema,
  type DeadLetterData,
  DeadLetterSchema,
  type HotlineClientData,
  HotlineClientSchema,
  type ProblemCategoryChangedData,
  ProblemCategoryChangedSchema,
  type ProblemClassData,
  ProblemClassSchema,
  type ReviewSubmittedData,
  ReviewSubmittedSchema,
  type ReviewSuspectChangedData,
  ReviewSuspectChangedSchema,
  type UnitRegisteredData,
  UnitRegisteredSchema,
  type UnitUpdatedData,
  UnitUpdatedSchema,
  type UnresolvedReportedData,
  UnresolvedReportedSchema,
} from './events.js';
import { EventSources, EventTypes } from './topics.js';

/** The typed event contract: each event type and the type of its `data`. */
export interface EventDataByType {
  [EventTypes.ReviewSubmitted]: ReviewSubmittedData;
  [EventTypes.ReviewSuspectChanged]: ReviewSuspectChangedData;
  [EventTypes.UnitRegistered]: UnitRegisteredData;
  [EventTypes.UnitUpdated]: UnitUpdatedData;
  [EventTypes.UnresolvedReported]: UnresolvedReportedData;
  [EventTypes.HotlineClientRegistered]: HotlineClientData;
  [EventTypes.HotlineClientRevoked]: HotlineClientData;
  [EventTypes.CaseOpened]: CaseLifecycleData;
  [EventTypes.CaseAccepted]: CaseLifecycleData;
  [EventTypes.CaseResponded]: CaseLifecycleData;
  [EventTypes.CaseRectified]: CaseLifecycleData;
  [EventTypes.CaseClosed]: CaseLifecycleData;
  [EventTypes.CaseReopened]: CaseLifecycleData;
  [EventTypes.CaseAppealed]: CaseLifecycleData;
  [EventTypes.CaseAppealDecided]: CaseLifecycleData;
  [EventTypes.CaseOverdue]: CaseLifecycleData;
  [EventTypes.CaseUrged]: CaseLifecycleData;
  [EventTypes.CaseExtensionRequested]: CaseLifecycleData;
  [EventTypes.CaseExtensionDecided]: CaseLifecycleData;
  [EventTypes.CaseDeadlineChanged]: CaseDeadlineChangedData;
  [EventTypes.CasePublicationChanged]: CasePublicationData;
  [EventTypes.DeadLettered]: DeadLetterData;
  [EventTypes.AuditRecorded]: AuditRecordedData;
  [EventTypes.ProblemClassOpened]: ProblemClassData;
  [EventTypes.ProblemClassCasesChanged]: ProblemClassData;
  [EventTypes.ProblemClassActionAssigned]: ProblemClassData;
  [EventTypes.ProblemClassActionReported]: ProblemClassData;
  [EventTypes.ProblemClassActionAccepted]: ProblemClassData;
  [EventTypes.ProblemClassActionReturned]: ProblemClassData;
  [EventTypes.ProblemClassSolved]: ProblemClassData;
  [EventTypes.ProblemCategoryChanged]: ProblemCategoryChangedData;
}
export type KnownEventType = keyof EventDataByType;
/**
 * An event of type `K`, its `data` typed accordingly; for a union of types, the union of their
 * events, so that narrowing on `type` narrows `data`.
 */
export type EventOf<K extends KnownEventType> = K extends KnownEventType
  ? Omit<CloudEvent<EventDataByType[K]>, 'type'> & { type: K }
  : never;
/** Any event of the contract. */
export type KnownEvent = EventOf<KnownEventType>;

/** The `gov.case.*` events that carry the case as it stands (topic cases.lifecycle). */
export const CASE_LIFECYCLE_TYPES = [
  EventTypes.CaseOpened,
  EventTypes.CaseAccepted,
  EventTypes.CaseResponded,
  EventTypes.CaseRectified,
  EventTypes.CaseClosed,
  EventTypes.CaseReopened,
  EventTypes.CaseAppealed,
  EventTypes.CaseAppealDecided,
  EventTypes.CaseOverdue,
  EventTypes.CaseUrged,
  EventTypes.CaseExtensionRequested,
  EventTypes.CaseExtensionDecided,
  EventTypes.CaseDeadlineChanged,
] as const satisfies ReadonlyArray<KnownEventType>;
export type CaseLifecycleType = (typeof CASE_LIFECYCLE_TYPES)[number];

/** The `gov.problem-class.*` events that carry the class as it stands (topic problem-classes.lifecycle). */
export const PROBLEM_CLASS_TYPES = [
  EventTypes.ProblemClassOpened,
  EventTypes.ProblemClassCasesChanged,
  EventTypes.ProblemClassActionAssigned,
  EventTypes.ProblemClassActionReported,
  EventTypes.ProblemClassActionAccepted,
  EventTypes.ProblemClassActionReturned,
  EventTypes.ProblemClassSolved,
] as const satisfies ReadonlyArray<KnownEventType>;
export type ProblemClassType = (typeof PROBLEM_CLASS_TYPES)[number];

/** The schema of each event type's `data` (events.ts). */
export const EVENT_SCHEMAS: { readonly [K in KnownEventType]: TSchema } = {
  [EventTypes.ReviewSubmitted]: ReviewSubmittedSchema,
  [EventTypes.ReviewSuspectChanged]: ReviewSuspectChangedSchema,
  [EventTypes.UnitRegistered]: UnitRegisteredSchema,
  [EventTypes.UnitUpdated]: UnitUpdatedSchema,
  [EventTypes.UnresolvedReported]: UnresolvedReportedSchema,
  [EventTypes.HotlineClientRegistered]: HotlineClientSchema,
  [EventTypes.HotlineClientRevoked]: HotlineClientSchema,
  [EventTypes.CasePublicationChanged]: CasePublicationSchema,
  [EventTypes.DeadLettered]: DeadLetterSchema,
  [EventTypes.AuditRecorded]: AuditRecordedSchema,
  [EventTypes.ProblemCategoryChanged]: ProblemCategoryChangedSchema,
  ...(Object.fromEntries(PROBLEM_CLASS_TYPES.map((type) => [type, ProblemClassSchema])) as unknown as Record<ProblemClassType, TSchema>),
  ...(Object.fromEntries(CASE_LIFECYCLE_TYPES.map((type) => [type, CaseLifecycleSchema])) as unknown as Record<CaseLifecycleType, TSchema>),
  [EventTypes.CaseDeadlineChanged]: CaseDeadlineChangedSchema,
};

export function isKnownEventType(type: string): type is KnownEventType {
  return Object.hasOwn(EVENT_SCHEMAS, type);
}

// Diagnostics name every bad field of an event (TypeBox buffers 8 errors by default, and each
// branch of a nullable field that fails adds one). Events are our own and bounded in size.
Settings.Set({ maxErrors: 64 });
const validators = new Map<TSchema, Validator>();
function validatorOf(schema: TSchema): Validator {
  let validator = validators.get(schema);
  if (!validator) validators.set(schema, (validator = Compile(schema)));
  return validator;
}

/**
 * What is wrong with an event's `data` against its type's schema, one line per field
 * (`contact.sealed: must be string or must be null`); empty when it conforms. An unknown type
 * has nothing to check against and yields nothing.
 */
export function eventDataErrors(event: Pick<CloudEvent, 'type' | 'data'>): string[] {
  if (!isKnownEventType(event.type)) return [];
  const validator = validatorOf(EVENT_SCHEMAS[event.type]);
  if (validator.Check(event.data)) return [];
  const byField = new Map<string, string[]>();
  for (const error of validator.Errors(event.data)) {
    if (error.keyword === 'anyOf') continue;
    const field = error.instancePath.slice(1).replaceAll('/', '.') || '(data)';
    const messages = byField.get(field) ?? [];
    if (!messages.includes(error.message)) messages.push(error.message);
    byField.set(field, messages);
  }
  return [...byField].map(([field, messages]) => `${field}: ${messages.join(' or ')}`);
}

/** Where each event type comes from (the producing service), unless its factory is told otherwise. */
const DEFAULT_SOURCE = (type: KnownEventType): string =>
  type.startsWith('gov.case.') || type.startsWith('gov.problem-')
    ? EventSources.Rectification
    : type === EventTypes.DeadLettered
      ? EventSources.Statistics
      : EventSources.Intake;

export interface EventInit {
  /** The event id; a fresh UUID by default. */
  id?: string;
  time?: Date;
  subject?: string;
  /** The producing service's CloudEvents source; by default the service that owns the type. */
  source?: string;
  /** The replay that re-sends the fact (CloudEvent.replay); absent for the event of a change. */
  replay?: string;
}

/** The factory of one event type: its data typed, its `type` and `source` filled in. */
export function eventFactory<K extends KnownEventType>(type: K): (data: EventDataByType[K], init?: EventInit) => EventOf<K> {
  return (data, init = {}) =>
    createCloudEvent({
      type,
      source: init.source ?? DEFAULT_SOURCE(type),
      data,
      id: init.id,
      time: init.time,
      subject: init.subject,
      replay: init.replay,
    }) as EventOf<K>;
}

/** One factory per event of the contract: every producer, fixture and benchmark builds events here. */
export const Events = {
  reviewSubmitted: eventFactory(EventTypes.ReviewSubmitted),
  reviewSuspectChanged: eventFactory(EventTypes.ReviewSuspectChanged),
  unitRegistered: eventFactory(EventTypes.UnitRegistered),
  unitUpdated: eventFactory(EventTypes.UnitUpdated),
  unresolvedReported: eventFactory(EventTypes.UnresolvedReported),
  hotlineClientRegistered: eventFactory(EventTypes.HotlineClientRegistered),
  hotlineClientRevoked: eventFactory(EventTypes.HotlineClientRevoked),
  /** A `gov.case.*` lifecycle event of the given type. */
  caseChanged: <K extends CaseLifecycleType>(type: K, data: EventDataByType[K], init?: EventInit) => eventFactory(type)(data, init),
  casePublicationChanged: eventFactory(EventTypes.CasePublicationChanged),
  deadLettered: eventFactory(EventTypes.DeadLettered),
  /** A `gov.problem-class.*` event of the given type. */
  problemClassChanged: <K extends ProblemClassType>(type: K, data: EventDataByType[K], init?: EventInit) => eventFactory(type)(data, init),
  problemCategoryChanged: eventFactory(EventTypes.ProblemCategoryChanged),
  /** An audit entry of a person's action; pass the producing service's `source`. */
  auditRecorded: eventFactory(EventTypes.AuditRecorded),
} as const;
