import type { Role } from '#libs/auth';
import { deadlineMissed, validateExtension } from '#libs/calendar';
import { CLIENT_CLOCK_TOLERANCE_MS, DomainError, ErrorCode } from '#libs/common';
import type { CaseLifecycleType, CaseOutcome, CaseStatus, EventTypes } from '#libs/contracts';

/**
 * The rectification case state machine (API.md § Rectification service) as pure functions:
 * given a case, an action, its input, the actor and the time, it answers the next case, the
 * CloudEvents type to publish and the timeline entry to append — or throws.
 *
 *   PENDING ─accept→ ACCEPTED ─respond→ RESPONDED ─rectify→ RECTIFIED ─feedback(satisfied)→ CLOSED
 *                        │                 ▲  │                  │
 *                        │                 │  └──────────────────┘ feedback(not satisfied): reopened
 *                        └─appeal→ APPEALING ─decide-appeal(upheld)→ CLOSED (APPEAL_UPHELD)
 *                                            └─decide-appeal(not upheld)→ back to ACCEPTED/RESPONDED
 */

export type RectifyOutcome = 'RECTIFIED' | 'EXPLAINED';
export type ContactMethod = 'PHONE' | 'SMS' | 'VISIT' | 'ONLINE' | 'NO_CONTACT';
export const CONTACT_METHODS: readonly ContactMethod[] = ['PHONE', 'SMS', 'VISIT', 'ONLINE', 'NO_CONTACT'];
export type DeadlineKind = 'response' | 'rectify';
export type AppealableStatus = 'ACCEPTED' | 'RESPONDED';

export interface CaseActionInputs {
  accept: { note?: string | null };
  /**
   * `caseHasContact`: whether the case carries a way to reach the reviewer (a phone number). Only a
   * case without one may be responded with NO_CONTACT (an anonymous rating): the unit records that
   * it has taken the case up and that nobody can be called back.
   */
  respond: { contactedAt: Date; method: ContactMethod; note: string; caseHasContact: boolean };
  /** `problemCategory`: the 问题分类 code the operator chose (checked against the taxonomy before the transition). */
  rectify: { outcome: RectifyOutcome; measures: string; problemCategory: string };
  feedback: { reviewerSatisfied: boolean; note: string };
  /** `maxUntil`: 15 working days after opening (`maxExtensionUntil` of #libs/calendar). */
  'request-extension': { reason: string; until: Date; maxUntil: Date };
  /** `maxUntil` is checked again on approval, in case the calendar changed meanwhile. */
  'decide-extension': { approved: boolean; note: string; maxUntil: Date };
  appeal: { reason: string; evidence?: readonly string[] | null };
  /**
   * `note` is the supervisor's internal reasoning. `hotline`: the case came from 12345, whose citizen
   * hears the outcome: an upheld appeal then requires `replyToCitizen`, the text sent back.
   */
  'decide-appeal': { upheld: boolean; note: string; replyToCitizen?: string | null; hotline: boolean };
  urge: { note: string };
}
export type CaseAction = keyof CaseActionInputs;
export const CASE_ACTIONS: readonly CaseAction[] = [
  'accept',
  'respond',
  'rectify',
  'feedback',
  'request-extension',
  'decide-extension',
  'appeal',
  'decide-appeal',
  'urge',
];

/** The statuses each action may start from (further preconditions are checked by `transition`). */
export const ACTION_STATUSES: Readonly<Record<CaseAction, readonly CaseStatus[]>> = {
  accept: ['PENDING'],
  // A later contact (e.g. after a reopening) is recorded too, but respondedAt/respondedOnTime keep the first.
  respond: ['ACCEPTED', 'RESPONDED'],
  rectify: ['RESPONDED'],
  feedback: ['RECTIFIED'],
  'request-extension': ['ACCEPTED', 'RESPONDED'],
  // Only while a request is pending, which can be raised in ACCEPTED/RESPONDED and outlive them.
  'decide-extension': ['ACCEPTED', 'RESPONDED', 'RECTIFIED', 'APPEALING'],
  appeal: ['ACCEPTED', 'RESPONDED'],
  'decide-appeal': ['APPEALING'],
  urge: ['PENDING', 'ACCEPTED', 'RESPONDED', 'RECTIFIED', 'APPEALING'],
};

/**
 * Who may do what. `unit_operator` only on its own unit's cases. `admin` runs the registry and
 * the calendar but is not a case actor (it is not in the 好差评 chain of responsibility).
 * `system` is the scheduler: it flags overdue cases (`markOverdue`) and urges them.
 */
export type ActorRole = 'unit_operator' | 'supervisor' | 'system';
export const ACTION_ROLES: Readonly<Record<CaseAction, readonly ActorRole[]>> = {
  accept: ['unit_operator'],
  respond: ['unit_operator'],
  rectify: ['unit_operator'],
  feedback: ['unit_operator'],
  'request-extension': ['unit_operator'],
  'decide-extension': ['supervisor'],
  appeal: ['unit_operator'],
  'decide-appeal': ['supervisor'],
  urge: ['supervisor', 'system'],
};

/** A person (the JWT principal fits as is) or the scheduler. */
export interface CaseActor {
  sub: string;
  role: Role | 'system';
  unitCode?: string | null;
}
export const SYSTEM_CASE_ACTOR: CaseActor = { sub: 'system', role: 'system', unitCode: null };

export interface ExtensionRequest {
  status: 'PENDING' | 'APPROVED' | 'REJECTED';
  reason: string;
  /** ISO instant. */
  until: string;
  requestedAt: string;
  requestedBy: string;
  decidedAt: string | null;
  decidedBy: string | null;
  note: string | null;
}

/** What the machine needs beyond the case columns; JSON-ready for the `workflow` jsonb column. */
export type CaseWorkflow = {
  acceptedAt: string | null;
  /** Outcome of the latest rectify, pending the reviewer's feedback. */
  rectifyOutcome: RectifyOutcome | null;
  statusBeforeAppeal: AppealableStatus | null;
  appealCount: number;
  /** The latest extension request (a rejected one may be followed by a new request). */
  extension: ExtensionRequest | null;
  responseOverdue: boolean;
  rectifyOverdue: boolean;
  /**
   * The latest response said the reviewer cannot be reached (NO_CONTACT). Nobody can give feedback,
   * so `rectify` closes the case itself (outcome RECTIFIED/EXPLAINED, `closedWithoutFeedback`).
   */
  reviewerUnreachable: boolean;
};

export interface CaseState {
  unitCode: string;
  status: CaseStatus;
  outcome: CaseOutcome | null;
  openedAt: Date;
  responseDueAt: Date;
  rectifyDueAt: Date;
  respondedAt: Date | null;
  respondedOnTime: boolean | null;
  rectifiedAt: Date | null;
  closedAt: Date | null;
  overdue: boolean;
  reopenedCount: number;
  urgeCount: number;
  /** A computed deadline rests on a provisional calendar day (absent: false). */
  deadlineProvisional?: boolean;
  /** The 问题分类 recorded at the latest rectify (absent or null: none yet, or rectified before categories existed). */
  problemCategory?: string | null;
  /** Raw jsonb is accepted (missing keys take defaults); the result always carries a full CaseWorkflow. */
  workflow: Readonly<Record<string, unknown>>;
}

/** The event a transition emits: every lifecycle event of the contract but `gov.case.opened` (a case is opened, not transitioned into). */
export type CaseEventType = Exclude<CaseLifecycleType, typeof EventTypes.CaseOpened>;

/** One row of the case timeline (`case_timeline`): who did what, when. */
export interface TimelineEntryData {
  action: CaseAction | 'mark-overdue' | 'deadline-changed';
  actor: string;
  actorRole: Role | null;
  note: string | null;
  data: Record<string, unknown>;
  at: Date;
}

export interface TransitionResult<S extends CaseState = CaseState> {
  state: S;
  eventType: CaseEventType;
  timeline: TimelineEntryData;
  /** Fields the event carries beyond the case itself (CaseLifecycleData). */
  eventData?: Record<string, unknown>;
}

/** 409 INVALID_TRANSITION: the action is not allowed in the case's current state. */
export class InvalidTransitionError extends DomainError {
  declare readonly code: ErrorCode.InvalidTransition;

  constructor(
    readonly action: string,
    readonly status: CaseStatus,
    reason?: string,
  ) {
    super(ErrorCode.InvalidTransition, reason ?? `Action '${action}' is not allowed in status ${status}.`);
    this.name = 'InvalidTransitionError';
  }
}

/** How far in the future a reported contact time may be (clock skew between PCs), as for ratings. */
export const CONTACT_CLOCK_SKEW_MS = CLIENT_CLOCK_TOLERANCE_MS;

export function emptyWorkflow(): CaseWorkflow {
  return {
    acceptedAt: null,
    rectifyOutcome: null,
    statusBeforeAppeal: null,
    appealCount: 0,
    extension: null,
    responseOverdue: false,
    rectifyOverdue: false,
    reviewerUnreachable: false,
  };
}

/** A full CaseWorkflow from the stored jsonb, tolerating missing keys (new cases start with `{}`). */
export function readWorkflow(raw: Readonly<Record<string, unknown>> | null | undefined): CaseWorkflow {
  return { ...emptyWorkflow(), ...(raw ?? {}) };
}

/** Throws 403 FORBIDDEN (wrong role) or FORBIDDEN_UNIT (another unit's case) unless the actor may do the action. */
export function authorize(state: Pick<CaseState, 'unitCode'>, action: CaseAction, actor: CaseActor): void {
  const allowed = ACTION_ROLES[action] as readonly string[];
  if (!allowed.includes(actor.role)) {
    throw new DomainError(ErrorCode.Forbidden, `Role ${actor.role} may not ${action} a case.`);
  }
  if (actor.role === 'unit_operator' && actor.unitCode !== state.unitCode) {
    throw new DomainError(ErrorCode.ForbiddenUnit, 'The case belongs to another unit.');
  }
}

/** The actions this actor may take on the case now: what the console offers as forms. */
export function availableActions(state: CaseState, actor: CaseActor): CaseAction[] {
  if (actor.role === 'unit_operator' && actor.unitCode !== state.unitCode) return [];
  const current = readWorkflow(state.workflow);
  return CASE_ACTIONS.filter(
    (action) => (ACTION_ROLES[action] as readonly string[]).includes(actor.role) && blocker(state, current, action) === null,
  );
}

/** The reason the action is not allowed in this state, or null when it is. */
function blocker(state: CaseState, current: CaseWorkflow, action: CaseAction): string | null {
  if (!ACTION_STATUSES[action].includes(state.status)) return `Action '${action}' is not allowed in status ${state.status}.`;
  switch (action) {
    case 'request-extension':
      if (current.extension?.status === 'PENDING') return 'An extension request is already pending.';
      if (current.extension?.status === 'APPROVED') return 'The case has already been extended once.';
      return null;
    case 'decide-extension':
      return current.extension?.status === 'PENDING' ? null : 'There is no pending extension request.';
    case 'appeal':
      return current.appealCount > 0 ? 'The case has already been appealed once.' : null;
    case 'decide-appeal':
      return current.statusBeforeAppeal ? null : 'The appeal does not record the status it came from.';
    case 'feedback':
      return current.rectifyOutcome ? null : 'The case has no rectification outcome to report.';
    case 'accept':
    case 'respond':
    case 'rectify':
    case 'urge':
      return null;
  }
}

function actorRole(actor: CaseActor): Role | null {
  return actor.role === 'system' ? null : actor.role;
}

function validDate(value: unknown): value is Date {
  return value instanceof Date && !Number.isNaN(value.getTime());
}

/**
 * The bound of a reported contact time: not before the case opened (no response can predate the
 * matter reaching the unit), not after now beyond the clock tolerance. Null when within it.
 */
export function contactedAtProblem(contactedAt: Date, openedAt: Date, now: Date): string | null {
  if (!validDate(contactedAt)) return 'must be a valid date-time';
  if (contactedAt.getTime() < openedAt.getTime()) return `must not be before the case opened (${openedAt.toISOString()})`;
  if (contactedAt.getTime() > now.getTime() + CONTACT_CLOCK_SKEW_MS) return 'must not be in the future';
  return null;
}

/**
 * Applies an action. Checks, in order: the actor's role and unit (403), the state (409
 * INVALID_TRANSITION), then the input (400 VALIDATION_FAILED). Never mutates `state`.
 */
export function transition<S extends CaseState, A extends CaseAction>(
  state: S,
  action: A,
  input: CaseActionInputs[A],
  actor: CaseActor,
  now: Date,
): TransitionResult<S> {
  authorize(state, action, actor);
  const current = readWorkflow(state.workflow);
  const reason = blocker(state, current, action);
  if (reason) throw new InvalidTransitionError(action, state.status, reason);

  // An action named at run time from outside the type (a route parameter) that has no handler is no transition.
  if (!Object.hasOwn(ACTION_HANDLERS, action)) throw new InvalidTransitionError(action, state.status);
  const handle: ActionHandler<A> = ACTION_HANDLERS[action];
  const { changes, workflow, eventType, note, data } = handle({ state, current, input, actor, now, at: now.toISOString() });
  const next = { ...state, ...changes, workflow } as S;
  return {
    state: next,
    eventType,
    timeline: {
      action,
      actor: actor.sub,
      actorRole: actorRole(actor),
      note,
      data: { fromStatus: state.status, toStatus: next.status, ...data },
      at: now,
    },
  };
}

/** What one action is given: the case as it stands (its workflow read), the action's own input, who acts and when. */
interface ActionContext<A extends CaseAction> {
  state: CaseState;
  /** The workflow as it stands, before this action. */
  current: CaseWorkflow;
  input: CaseActionInputs[A];
  actor: CaseActor;
  now: Date;
  /** `now` as an ISO string, as the workflow keeps instants. */
  at: string;
}

/** What an action does to a case: the columns it changes, the workflow after it, its event, and its timeline note and data. */
interface ActionChange {
  changes: Partial<CaseState>;
  workflow: CaseWorkflow;
  eventType: CaseEventType;
  note: string | null;
  data?: Record<string, unknown>;
}

type ActionHandler<A extends CaseAction> = (context: ActionContext<A>) => ActionChange;

/**
 * One handler per action, each given its own input type (no casts). Preconditions common to every action — who may
 * act, from which status, what blocks it — are checked by `transition` before a handler runs; a handler checks only
 * what is its own (a contact time, an extension's bound, a reply a hotline appeal needs).
 */
const ACTION_HANDLERS: { [A in CaseAction]: ActionHandler<A> } = {
  accept: ({ current, input, at }) => ({
    changes: { status: 'ACCEPTED' },
    workflow: { ...current, acceptedAt: at },
    eventType: 'gov.case.accepted',
    note: input.note ?? null,
  }),

  respond: ({ state, current, input: { contactedAt, method, note, caseHasContact }, now }) => {
    const problem = contactedAtProblem(contactedAt, state.openedAt, now);
    if (problem) throw DomainError.validation([{ field: 'contactedAt', message: problem }]);
    if (method === 'NO_CONTACT' && caseHasContact) {
      throw new DomainError(
        ErrorCode.ContactAvailable,
        'The case carries the reviewer’s contact details: contact the reviewer (NO_CONTACT is only for a case without any).',
        [{ field: 'method', message: 'NO_CONTACT is only allowed on a case without contact details' }],
      );
    }
    const first = state.respondedAt === null;
    const respondedAt = first ? contactedAt : state.respondedAt;
    const respondedOnTime = first ? contactedAt.getTime() <= state.responseDueAt.getTime() : state.respondedOnTime;
    return {
      changes: { status: 'RESPONDED', respondedAt, respondedOnTime },
      workflow: { ...current, reviewerUnreachable: method === 'NO_CONTACT' },
      eventType: 'gov.case.responded',
      note,
      data: {
        contactedAt: contactedAt.toISOString(),
        method,
        firstResponse: first,
        onTime: contactedAt.getTime() <= state.responseDueAt.getTime(),
      },
    };
  },

  rectify: ({ state, current, input: { outcome, measures, problemCategory }, now }) => {
    const onTime = now.getTime() <= state.rectifyDueAt.getTime();
    const workflow = { ...current, rectifyOutcome: outcome };
    if (current.reviewerUnreachable) {
      // Nobody can be asked for feedback: the rectification (or explanation) closes the case, and says so.
      return {
        changes: { status: 'CLOSED', outcome, rectifiedAt: now, closedAt: now, problemCategory },
        workflow,
        eventType: 'gov.case.closed',
        note: measures,
        data: { outcome, measures, onTime, closedWithoutFeedback: true, reason: 'NO_CONTACT' },
      };
    }
    return {
      changes: { status: 'RECTIFIED', rectifiedAt: now, problemCategory },
      workflow,
      eventType: 'gov.case.rectified',
      note: measures,
      data: { outcome, measures, onTime },
    };
  },

  feedback: ({ state, current, input: { reviewerSatisfied, note }, now }) => {
    if (reviewerSatisfied) {
      const outcome = current.rectifyOutcome!;
      return {
        changes: { status: 'CLOSED', outcome, closedAt: now },
        workflow: current,
        eventType: 'gov.case.closed',
        note,
        data: { reviewerSatisfied, outcome },
      };
    }
    const reopenedCount = state.reopenedCount + 1;
    return {
      changes: { status: 'RESPONDED', rectifiedAt: null, reopenedCount },
      workflow: { ...current, rectifyOutcome: null },
      eventType: 'gov.case.reopened',
      note,
      data: { reviewerSatisfied, reopenedCount },
    };
  },

  'request-extension': ({ state, current, input: { reason, until, maxUntil }, actor, at }) => {
    validateExtension(state.rectifyDueAt, until, maxUntil);
    const extension: ExtensionRequest = {
      status: 'PENDING',
      reason,
      until: until.toISOString(),
      requestedAt: at,
      requestedBy: actor.sub,
      decidedAt: null,
      decidedBy: null,
      note: null,
    };
    return {
      changes: {},
      workflow: { ...current, extension },
      eventType: 'gov.case.extension-requested',
      note: reason,
      data: { until: extension.until },
    };
  },

  'decide-extension': ({ state, current, input: { approved, note, maxUntil }, actor, at }) => {
    const request = current.extension!;
    const until = new Date(request.until);
    if (approved && until.getTime() > maxUntil.getTime()) {
      throw new InvalidTransitionError(
        'decide-extension',
        state.status,
        `The requested date is beyond ${maxUntil.toISOString()}, 15 working days after opening.`,
      );
    }
    return {
      changes: approved ? { rectifyDueAt: until } : {},
      workflow: {
        ...current,
        extension: { ...request, status: approved ? 'APPROVED' : 'REJECTED', decidedAt: at, decidedBy: actor.sub, note },
      },
      eventType: 'gov.case.extension-decided',
      note,
      data: { approved, until: request.until, previousRectifyDueAt: state.rectifyDueAt.toISOString() },
    };
  },

  appeal: ({ state, current, input: { reason, evidence } }) => ({
    changes: { status: 'APPEALING' },
    workflow: { ...current, statusBeforeAppeal: state.status as AppealableStatus, appealCount: current.appealCount + 1 },
    eventType: 'gov.case.appealed',
    note: reason,
    data: { evidence: evidence ?? [] },
  }),

  'decide-appeal': ({ current, input: { upheld, note, replyToCitizen, hotline }, now }) => {
    if (upheld && hotline && !replyToCitizen?.trim()) {
      throw DomainError.validation([
        { field: 'replyToCitizen', message: 'is required when an appeal of a hotline case is upheld: it is the reply sent to 12345' },
      ]);
    }
    return {
      changes: upheld ? { status: 'CLOSED', outcome: 'APPEAL_UPHELD', closedAt: now } : { status: current.statusBeforeAppeal! },
      workflow: { ...current, statusBeforeAppeal: null },
      eventType: 'gov.case.appeal-decided',
      note,
      data: { upheld, ...(replyToCitizen ? { replyToCitizen } : {}) },
    };
  },

  urge: ({ state, current, input: { note }, actor }) => {
    const urgeCount = state.urgeCount + 1;
    return {
      changes: { urgeCount },
      workflow: current,
      eventType: 'gov.case.urged',
      note,
      data: { urgeCount, automatic: actor.role === 'system' },
    };
  },
};

/**
 * Flags a missed deadline (the scheduler's sweep). Returns null — nothing to do — when the case
 * is already flagged for that kind, the deadline has not passed, the obligation was met in time
 * (responded / rectified), the case is closed, or an appeal is pending (the unit has contested the
 * case; if the appeal fails, the next sweep flags it). The flag is sticky: a later extension or
 * response does not clear it. The caller then urges the case with SYSTEM_CASE_ACTOR.
 */
export function markOverdue<S extends CaseState>(state: S, kind: DeadlineKind, now: Date): TransitionResult<S> | null {
  const current = readWorkflow(state.workflow);
  if (state.status === 'CLOSED' || state.status === 'APPEALING') return null;
  const dueAt = kind === 'response' ? state.responseDueAt : state.rectifyDueAt;
  if (now.getTime() <= dueAt.getTime()) return null;
  if (kind === 'response' && (current.responseOverdue || state.respondedAt !== null)) return null;
  if (kind === 'rectify' && (current.rectifyOverdue || state.status === 'RECTIFIED')) return null;
  const workflow: CaseWorkflow = kind === 'response' ? { ...current, responseOverdue: true } : { ...current, rectifyOverdue: true };
  return {
    state: { ...state, overdue: true, workflow },
    eventType: 'gov.case.overdue',
    timeline: {
      action: 'mark-overdue',
      actor: SYSTEM_CASE_ACTOR.sub,
      actorRole: null,
      note: null,
      data: { kind, dueAt: dueAt.toISOString(), status: state.status },
      at: now,
    },
  };
}

/** New deadlines of a case, computed again because a calendar year changed (`recomputeDeadlines`). */
export interface DeadlineRevision {
  responseDueAt: Date;
  rectifyDueAt: Date;
  provisional: boolean;
  calendarYear: number;
  calendarChange: 'CONFIRMED' | 'PUBLISHED';
}

/**
 * Moves a case's deadlines to the ones a changed calendar gives (the admin confirmed, corrected or
 * the holiday package published a year). Returns null when nothing changes or the case is closed.
 * Whether the reviewer was contacted on time is judged again against the new response deadline,
 * and a missed-deadline flag raised under a deadline that has since moved later is withdrawn when
 * the new deadline has not passed unmet (`deadlineMissed`); a deadline that moved earlier is
 * flagged by the next sweep as usual.
 */
export function reviseDeadlines<S extends CaseState>(state: S, revision: DeadlineRevision, now: Date): TransitionResult<S> | null {
  if (state.status === 'CLOSED') return null;
  const wasProvisional = state.deadlineProvisional === true;
  const unchanged =
    revision.responseDueAt.getTime() === state.responseDueAt.getTime() &&
    revision.rectifyDueAt.getTime() === state.rectifyDueAt.getTime() &&
    revision.provisional === wasProvisional;
  if (unchanged) return null;
  const current = readWorkflow(state.workflow);
  const responseOverdue = current.responseOverdue && deadlineMissed(revision.responseDueAt, state.respondedAt, now);
  const rectifyOverdue = current.rectifyOverdue && deadlineMissed(revision.rectifyDueAt, state.rectifiedAt, now);
  const withdrawn = [
    ...(current.responseOverdue && !responseOverdue ? ['response'] : []),
    ...(current.rectifyOverdue && !rectifyOverdue ? ['rectify'] : []),
  ];
  const respondedOnTime =
    state.respondedAt === null ? state.respondedOnTime : state.respondedAt.getTime() <= revision.responseDueAt.getTime();
  const previous = {
    responseDueAt: state.responseDueAt.toISOString(),
    rectifyDueAt: state.rectifyDueAt.toISOString(),
    deadlineProvisional: wasProvisional,
  };
  const next = {
    ...state,
    responseDueAt: revision.responseDueAt,
    rectifyDueAt: revision.rectifyDueAt,
    deadlineProvisional: revision.provisional,
    respondedOnTime,
    overdue: responseOverdue || rectifyOverdue,
    workflow: { ...current, responseOverdue, rectifyOverdue },
  } as S;
  return {
    state: next,
    eventType: 'gov.case.deadline-changed',
    timeline: {
      action: 'deadline-changed',
      actor: SYSTEM_CASE_ACTOR.sub,
      actorRole: null,
      note: null,
      data: {
        calendarYear: revision.calendarYear,
        calendarChange: revision.calendarChange,
        previous,
        responseDueAt: revision.responseDueAt.toISOString(),
        rectifyDueAt: revision.rectifyDueAt.toISOString(),
        deadlineProvisional: revision.provisional,
        ...(respondedOnTime !== state.respondedOnTime ? { respondedOnTime } : {}),
        ...(withdrawn.length ? { overdueWithdrawn: withdrawn } : {}),
      },
      at: now,
    },
    eventData: {
      previousResponseDueAt: previous.responseDueAt,
      previousRectifyDueAt: previous.rectifyDueAt,
      previousDeadlineProvisional: wasProvisional,
      calendarYear: revision.calendarYear,
      calendarChange: revision.calendarChange,
    },
  };
}
