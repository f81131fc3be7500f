import { DomainError, ErrorCode, statusOf } from '#libs/common';
import { CASE_STATUSES, type CaseStatus } from '#libs/contracts';
import {
  availableActions,
  CASE_ACTIONS,
  type CaseAction,
  type CaseActionInputs,
  type CaseActor,
  type CaseEventType,
  type CaseState,
  type CaseWorkflow,
  type ExtensionRequest,
  InvalidTransitionError,
  markOverdue,
  readWorkflow,
  reviseDeadlines,
  SYSTEM_CASE_ACTOR,
  transition,
} from './case-state-machine.js';

// A case opened Mon 2024-09-30 10:00 Shanghai: response due Tue Oct 8, rectify due Sat Oct 12 (make-up day),
// at most Fri Oct 25 with an extension (the 1st, 5th and 15th working days after National Day 2024).
const OPENED_AT = new Date('2024-09-30T10:00:00+08:00');
const RESPONSE_DUE = new Date('2024-10-08T15:59:59.999Z');
const RECTIFY_DUE = new Date('2024-10-12T15:59:59.999Z');
const MAX_UNTIL = new Date('2024-10-25T15:59:59.999Z');
const NOW = new Date('2024-10-09T02:00:00Z');

const OPERATOR: CaseActor = { sub: 'op-1', role: 'unit_operator', unitCode: 'CN-01' };
const OTHER_OPERATOR: CaseActor = { sub: 'op-2', role: 'unit_operator', unitCode: 'CN-02' };
const UNITLESS_OPERATOR: CaseActor = { sub: 'op-3', role: 'unit_operator', unitCode: null };
const SUPERVISOR: CaseActor = { sub: 'sup-1', role: 'supervisor', unitCode: null };
const ADMIN: CaseActor = { sub: 'admin-1', role: 'admin', unitCode: null };

type TestCase = CaseState & { id: string; workflow: Record<string, unknown> };

function pendingExtension(until = '2024-10-20T15:59:59.999Z'): ExtensionRequest {
  return {
    status: 'PENDING',
    reason: '涉及多个部门',
    until,
    requestedAt: '2024-10-08T02:00:00.000Z',
    requestedBy: 'op-1',
    decidedAt: null,
    decidedBy: null,
    note: null,
  };
}

function makeCase(status: CaseStatus, overrides: Partial<TestCase> = {}, workflow: Partial<CaseWorkflow> = {}): TestCase {
  const responded = status !== 'PENDING' && status !== 'ACCEPTED' && status !== 'APPEALING';
  return {
    id: 'case-1',
    unitCode: 'CN-01',
    status,
    outcome: status === 'CLOSED' ? 'RECTIFIED' : null,
    openedAt: OPENED_AT,
    responseDueAt: RESPONSE_DUE,
    rectifyDueAt: RECTIFY_DUE,
    respondedAt: responded ? new Date('2024-10-08T01:00:00Z') : null,
    respondedOnTime: responded ? true : null,
    rectifiedAt: status === 'RECTIFIED' || status === 'CLOSED' ? new Date('2024-10-08T06:00:00Z') : null,
    closedAt: status === 'CLOSED' ? new Date('2024-10-08T08:00:00Z') : null,
    overdue: false,
    reopenedCount: 0,
    urgeCount: 0,
    workflow: {
      ...(status === 'RECTIFIED' || status === 'CLOSED' ? { rectifyOutcome: 'RECTIFIED' } : {}),
      ...(status === 'APPEALING' ? { statusBeforeAppeal: 'ACCEPTED', appealCount: 1 } : {}),
      ...workflow,
    },
    ...overrides,
  };
}

const VALID_INPUT: { [A in CaseAction]: CaseActionInputs[A] } = {
  accept: { note: '已签收' },
  respond: { contactedAt: new Date('2024-10-08T09:00:00+08:00'), method: 'PHONE', note: '已电话联系评价人', caseHasContact: true },
  rectify: { outcome: 'RECTIFIED', measures: '增设窗口，优化叫号', problemCategory: 'EFFICIENCY_WAITING' },
  feedback: { reviewerSatisfied: true, note: '评价人表示满意' },
  'request-extension': { reason: '涉及多个部门', until: new Date('2024-10-20T23:59:59.999+08:00'), maxUntil: MAX_UNTIL },
  'decide-extension': { approved: true, note: '同意延期', maxUntil: MAX_UNTIL },
  appeal: { reason: '恶意差评', evidence: ['https://files.example/cctv-0930.mp4'] },
  'decide-appeal': { upheld: false, note: '申诉理由不成立', hotline: false },
  urge: { note: '请尽快办理' },
};

const ACTOR_FOR: Record<CaseAction, CaseActor> = {
  accept: OPERATOR,
  respond: OPERATOR,
  rectify: OPERATOR,
  feedback: OPERATOR,
  'request-extension': OPERATOR,
  'decide-extension': SUPERVISOR,
  appeal: OPERATOR,
  'decide-appeal': SUPERVISOR,
  urge: SUPERVISOR,
};

/** A case in `status` that meets the action's own preconditions, so only the status decides. */
function fixtureFor(status: CaseStatus, action: CaseAction): TestCase {
  return makeCase(status, {}, action === 'decide-extension' ? { extension: pendingExtension() } : {});
}

function apply<A extends CaseAction>(
  state: TestCase,
  action: A,
  input: Partial<CaseActionInputs[A]> = {},
  actor = ACTOR_FOR[action],
  now = NOW,
) {
  return transition(state, action, { ...VALID_INPUT[action], ...input }, actor, now);
}

function thrown(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError, nothing was thrown');
}

function workflowOf(state: CaseState): CaseWorkflow {
  return readWorkflow(state.workflow);
}

/** Written out by hand: the allowed (status, action) pairs with the next status and event; every other pair is 409. */
const ALLOWED: Record<CaseStatus, Partial<Record<CaseAction, [CaseStatus, CaseEventType]>>> = {
  PENDING: {
    accept: ['ACCEPTED', 'gov.case.accepted'],
    urge: ['PENDING', 'gov.case.urged'],
  },
  ACCEPTED: {
    respond: ['RESPONDED', 'gov.case.responded'],
    'request-extension': ['ACCEPTED', 'gov.case.extension-requested'],
    'decide-extension': ['ACCEPTED', 'gov.case.extension-decided'],
    appeal: ['APPEALING', 'gov.case.appealed'],
    urge: ['ACCEPTED', 'gov.case.urged'],
  },
  RESPONDED: {
    respond: ['RESPONDED', 'gov.case.responded'],
    rectify: ['RECTIFIED', 'gov.case.rectified'],
    'request-extension': ['RESPONDED', 'gov.case.extension-requested'],
    'decide-extension': ['RESPONDED', 'gov.case.extension-decided'],
    appeal: ['APPEALING', 'gov.case.appealed'],
    urge: ['RESPONDED', 'gov.case.urged'],
  },
  RECTIFIED: {
    feedback: ['CLOSED', 'gov.case.closed'],
    'decide-extension': ['RECTIFIED', 'gov.case.extension-decided'],
    urge: ['RECTIFIED', 'gov.case.urged'],
  },
  APPEALING: {
    'decide-extension': ['APPEALING', 'gov.case.extension-decided'],
    'decide-appeal': ['ACCEPTED', 'gov.case.appeal-decided'],
    urge: ['APPEALING', 'gov.case.urged'],
  },
  CLOSED: {},
};

describe('every action from every state', () => {
  const pairs = CASE_STATUSES.flatMap((status) => CASE_ACTIONS.map((action) => [status, action] as const));

  it('covers 6 states × 9 actions', () => {
    expect(pairs).toHaveLength(54);
  });

  it.each(pairs)('%s + %s', (status, action) => {
    const state = fixtureFor(status, action);
    const before = structuredClone(state);
    const expected = ALLOWED[status][action];
    if (expected) {
      const result = apply(state, action);
      expect(result.state.status).toBe(expected[0]);
      expect(result.eventType).toBe(expected[1]);
      expect(result.timeline).toMatchObject({
        action,
        actor: ACTOR_FOR[action].sub,
        actorRole: ACTOR_FOR[action].role,
        at: NOW,
        data: expect.objectContaining({ fromStatus: status, toStatus: expected[0] }),
      });
      expect(result.state.id).toBe('case-1');
    } else {
      const error = thrown(() => apply(state, action));
      expect(error).toBeInstanceOf(InvalidTransitionError);
      expect(error).toBeInstanceOf(Error);
      expect(error.code).toBe('INVALID_TRANSITION');
      expect(statusOf(error.code)).toBe(409);
      expect(error).toMatchObject({ action, status });
    }
    expect(state).toEqual(before);
  });
});

describe('roles', () => {
  const UNIT_ACTIONS: CaseAction[] = ['accept', 'respond', 'rectify', 'feedback', 'request-extension', 'appeal'];
  const SUPERVISOR_ACTIONS: CaseAction[] = ['decide-extension', 'decide-appeal', 'urge'];
  /** A state in which the action is allowed. */
  const stateFor = (action: CaseAction) =>
    fixtureFor(
      CASE_STATUSES.find((s) => ALLOWED[s][action])!,
      action,
    );

  it.each(UNIT_ACTIONS)('%s: only the operator of the case’s own unit', (action) => {
    expect(() => apply(stateFor(action), action, {}, OPERATOR)).not.toThrow();
    expect(thrown(() => apply(stateFor(action), action, {}, OTHER_OPERATOR)).code).toBe(ErrorCode.ForbiddenUnit);
    expect(thrown(() => apply(stateFor(action), action, {}, UNITLESS_OPERATOR)).code).toBe(ErrorCode.ForbiddenUnit);
    for (const actor of [SUPERVISOR, ADMIN, SYSTEM_CASE_ACTOR]) {
      expect(thrown(() => apply(stateFor(action), action, {}, actor)).code).toBe(ErrorCode.Forbidden);
    }
  });

  it.each(SUPERVISOR_ACTIONS)('%s: supervisors only (and the scheduler for urge)', (action) => {
    expect(() => apply(stateFor(action), action, {}, SUPERVISOR)).not.toThrow();
    for (const actor of [OPERATOR, OTHER_OPERATOR, ADMIN]) {
      expect(thrown(() => apply(stateFor(action), action, {}, actor)).code).toBe(ErrorCode.Forbidden);
    }
    const system = () => apply(stateFor(action), action, {}, SYSTEM_CASE_ACTOR);
    if (action === 'urge') expect(system).not.toThrow();
    else expect(thrown(system).code).toBe(ErrorCode.Forbidden);
  });

  it('checks the role before the state: 403, not 409, for a wrong actor on a closed case', () => {
    expect(thrown(() => apply(makeCase('CLOSED'), 'accept', {}, ADMIN)).code).toBe(ErrorCode.Forbidden);
    expect(thrown(() => apply(makeCase('CLOSED'), 'accept', {}, OTHER_OPERATOR)).code).toBe(ErrorCode.ForbiddenUnit);
    expect(thrown(() => apply(makeCase('CLOSED'), 'accept', {}, OPERATOR)).code).toBe(ErrorCode.InvalidTransition);
  });

  it('records the system actor without a role', () => {
    const { timeline } = apply(makeCase('RESPONDED'), 'urge', { note: '自动督办' }, SYSTEM_CASE_ACTOR);
    expect(timeline).toMatchObject({ actor: 'system', actorRole: null, data: expect.objectContaining({ automatic: true }) });
  });
});

describe('accept', () => {
  it('moves PENDING to ACCEPTED and records when', () => {
    const { state, timeline } = apply(makeCase('PENDING'), 'accept', { note: undefined });
    expect(state.status).toBe('ACCEPTED');
    expect(workflowOf(state).acceptedAt).toBe('2024-10-09T02:00:00.000Z');
    expect(timeline.note).toBeNull();
  });

  it('fills the workflow defaults from the raw jsonb ({} for a new case)', () => {
    const { state } = apply(makeCase('PENDING'), 'accept');
    expect(state.workflow).toEqual({
      acceptedAt: '2024-10-09T02:00:00.000Z',
      rectifyOutcome: null,
      statusBeforeAppeal: null,
      appealCount: 0,
      extension: null,
      responseOverdue: false,
      rectifyOverdue: false,
      reviewerUnreachable: false,
    });
    expect(readWorkflow(undefined)).toEqual(readWorkflow({}));
  });
});

describe('respond', () => {
  it('is on time when contactedAt equals responseDueAt to the millisecond', () => {
    const { state, timeline } = apply(makeCase('ACCEPTED'), 'respond', {
      contactedAt: new Date('2024-10-08T15:59:59.999Z'),
      method: 'VISIT',
    });
    expect(state).toMatchObject({ status: 'RESPONDED', respondedAt: new Date('2024-10-08T15:59:59.999Z'), respondedOnTime: true });
    expect(timeline.data).toMatchObject({ contactedAt: '2024-10-08T15:59:59.999Z', method: 'VISIT', firstResponse: true, onTime: true });
    expect(timeline.note).toBe('已电话联系评价人');
  });

  it('is late one millisecond after responseDueAt', () => {
    const { state } = apply(makeCase('ACCEPTED'), 'respond', { contactedAt: new Date('2024-10-08T16:00:00.000Z') });
    expect(state).toMatchObject({ respondedAt: new Date('2024-10-08T16:00:00.000Z'), respondedOnTime: false });
  });

  it('keeps the first response: a later contact is recorded but changes neither respondedAt nor respondedOnTime', () => {
    const first = apply(makeCase('ACCEPTED'), 'respond', { contactedAt: new Date('2024-10-08T01:00:00Z') }).state;
    const again = apply(
      first,
      'respond',
      { contactedAt: new Date('2024-10-09T01:00:00Z'), method: 'SMS' },
      OPERATOR,
      new Date('2024-10-09T02:00:00Z'),
    );
    expect(again.state).toMatchObject({ status: 'RESPONDED', respondedAt: new Date('2024-10-08T01:00:00Z'), respondedOnTime: true });
    expect(again.eventType).toBe('gov.case.responded');
    expect(again.timeline.data).toMatchObject({ firstResponse: false, onTime: false, method: 'SMS' });
  });

  it('refuses a contact time more than 5 minutes in the future or invalid (400 contactedAt)', () => {
    const now = new Date('2024-10-08T02:00:00Z');
    expect(() => apply(makeCase('ACCEPTED'), 'respond', { contactedAt: new Date('2024-10-08T02:05:00Z') }, OPERATOR, now)).not.toThrow();
    for (const contactedAt of [new Date('2024-10-08T02:05:00.001Z'), new Date('nonsense')]) {
      const error = thrown(() => apply(makeCase('ACCEPTED'), 'respond', { contactedAt }, OPERATOR, now));
      expect(error.code).toBe(ErrorCode.ValidationFailed);
      expect(error.errors).toEqual([{ field: 'contactedAt', message: expect.any(String) }]);
    }
  });
});

describe('respond: contact time bounds and NO_CONTACT', () => {
  it('refuses a contact time before the case opened (400 contactedAt), accepts the opening instant itself', () => {
    const before = thrown(() => apply(makeCase('ACCEPTED'), 'respond', { contactedAt: new Date(OPENED_AT.getTime() - 1) }));
    expect(before.code).toBe(ErrorCode.ValidationFailed);
    expect(before.errors).toEqual([{ field: 'contactedAt', message: expect.stringMatching(/before the case opened/) }]);
    expect(apply(makeCase('ACCEPTED'), 'respond', { contactedAt: OPENED_AT }).state.respondedAt).toEqual(OPENED_AT);
  });

  it('NO_CONTACT only on a case without contact details (409 CONTACT_AVAILABLE otherwise)', () => {
    const refused = thrown(() => apply(makeCase('ACCEPTED'), 'respond', { method: 'NO_CONTACT', caseHasContact: true }));
    expect(refused.code).toBe(ErrorCode.ContactAvailable);
    expect(statusOf(refused.code)).toBe(409);
    expect(refused.errors).toEqual([{ field: 'method', message: expect.any(String) }]);
    const { state, timeline } = apply(makeCase('ACCEPTED'), 'respond', { method: 'NO_CONTACT', caseHasContact: false });
    expect(state).toMatchObject({ status: 'RESPONDED', respondedOnTime: true });
    expect(workflowOf(state).reviewerUnreachable).toBe(true);
    expect(timeline.data).toMatchObject({ method: 'NO_CONTACT' });
  });

  it('a case whose reviewer cannot be reached closes on rectify, without feedback, and says so', () => {
    const responded = apply(makeCase('ACCEPTED'), 'respond', { method: 'NO_CONTACT', caseHasContact: false }).state;
    const { state, eventType, timeline } = apply(responded, 'rectify', { outcome: 'EXPLAINED', measures: '已核实并说明' });
    expect(state).toMatchObject({ status: 'CLOSED', outcome: 'EXPLAINED', rectifiedAt: NOW, closedAt: NOW });
    expect(eventType).toBe('gov.case.closed');
    expect(timeline.data).toMatchObject({ closedWithoutFeedback: true, reason: 'NO_CONTACT', measures: '已核实并说明' });
    // A later real contact (e.g. the reviewer called back) makes feedback the way to close again.
    const reached = apply(responded, 'respond', { method: 'PHONE', caseHasContact: false }).state;
    expect(apply(reached, 'rectify').state.status).toBe('RECTIFIED');
  });
});

describe('rectify: the 问题分类', () => {
  it('records the chosen category in the state, and a second rectify after reopening replaces it', () => {
    const first = apply(makeCase('RESPONDED'), 'rectify', { problemCategory: 'ATTITUDE_RUDE' }).state;
    expect(first).toMatchObject({ status: 'RECTIFIED', problemCategory: 'ATTITUDE_RUDE' });
    const reopened = apply(first, 'feedback', { reviewerSatisfied: false }).state;
    expect(reopened.problemCategory).toBe('ATTITUDE_RUDE');
    expect(apply(reopened, 'rectify', { problemCategory: 'PROCESS_TRIPS' }).state.problemCategory).toBe('PROCESS_TRIPS');
  });
});

describe('decide-appeal: the reply to 12345', () => {
  it('an upheld appeal of a hotline case requires replyToCitizen (400), which the timeline keeps apart from the note', () => {
    const appealed = apply(makeCase('RESPONDED'), 'appeal').state;
    const missing = thrown(() => apply(appealed, 'decide-appeal', { upheld: true, hotline: true }));
    expect(missing.code).toBe(ErrorCode.ValidationFailed);
    expect(missing.errors).toEqual([{ field: 'replyToCitizen', message: expect.any(String) }]);
    const decided = apply(appealed, 'decide-appeal', { upheld: true, hotline: true, replyToCitizen: '经核实，该反映与事实不符。' });
    expect(decided.timeline).toMatchObject({
      note: '申诉理由不成立',
      data: expect.objectContaining({ replyToCitizen: '经核实，该反映与事实不符。' }),
    });
    expect(apply(appealed, 'decide-appeal', { upheld: false, hotline: true }).state.status).toBe('RESPONDED');
    expect(apply(appealed, 'decide-appeal', { upheld: true, hotline: false }).state.status).toBe('CLOSED');
  });
});

describe('rectify and feedback', () => {
  it('rectify records the outcome, rectifiedAt and whether it met the deadline', () => {
    const { state, timeline } = apply(makeCase('RESPONDED'), 'rectify', { outcome: 'EXPLAINED', measures: '情况说明' });
    expect(state).toMatchObject({ status: 'RECTIFIED', rectifiedAt: NOW, outcome: null });
    expect(workflowOf(state).rectifyOutcome).toBe('EXPLAINED');
    expect(timeline).toMatchObject({ note: '情况说明', data: expect.objectContaining({ outcome: 'EXPLAINED', onTime: true }) });
    const late = apply(makeCase('RESPONDED'), 'rectify', {}, OPERATOR, new Date('2024-10-12T16:00:00Z'));
    expect(late.timeline.data).toMatchObject({ onTime: false });
  });

  it.each(['RECTIFIED', 'EXPLAINED'] as const)('a satisfied reviewer closes the case with outcome %s', (outcome) => {
    const rectified = apply(makeCase('RESPONDED'), 'rectify', { outcome }).state;
    const { state, eventType, timeline } = apply(
      rectified,
      'feedback',
      { reviewerSatisfied: true },
      OPERATOR,
      new Date('2024-10-10T02:00:00Z'),
    );
    expect(state).toMatchObject({ status: 'CLOSED', outcome, closedAt: new Date('2024-10-10T02:00:00Z'), reopenedCount: 0 });
    expect(eventType).toBe('gov.case.closed');
    expect(timeline.data).toMatchObject({ reviewerSatisfied: true, outcome });
  });

  it('an unsatisfied reviewer reopens the case to RESPONDED and counts it; it can then be rectified and closed', () => {
    const rectified = apply(makeCase('RESPONDED', { reopenedCount: 1 }), 'rectify', { outcome: 'EXPLAINED' }).state;
    const reopened = apply(rectified, 'feedback', { reviewerSatisfied: false, note: '仍不满意' });
    expect(reopened.state).toMatchObject({ status: 'RESPONDED', reopenedCount: 2, rectifiedAt: null, outcome: null, closedAt: null });
    expect(workflowOf(reopened.state).rectifyOutcome).toBeNull();
    expect(reopened.eventType).toBe('gov.case.reopened');
    expect(reopened.timeline).toMatchObject({
      note: '仍不满意',
      data: expect.objectContaining({ reviewerSatisfied: false, reopenedCount: 2 }),
    });
    expect(thrown(() => apply(reopened.state, 'feedback')).code).toBe(ErrorCode.InvalidTransition);
    const again = apply(reopened.state, 'rectify', { outcome: 'RECTIFIED' }).state;
    expect(apply(again, 'feedback').state).toMatchObject({ status: 'CLOSED', outcome: 'RECTIFIED', reopenedCount: 2 });
  });

  it('feedback needs a recorded rectify outcome', () => {
    const broken = makeCase('RECTIFIED', {}, { rectifyOutcome: null });
    expect(thrown(() => apply(broken, 'feedback')).code).toBe(ErrorCode.InvalidTransition);
  });
});

describe('extensions', () => {
  it('request-extension records a pending request without moving the deadline', () => {
    const { state, eventType, timeline } = apply(makeCase('RESPONDED'), 'request-extension');
    expect(state.rectifyDueAt).toEqual(RECTIFY_DUE);
    expect(workflowOf(state).extension).toEqual({
      status: 'PENDING',
      reason: '涉及多个部门',
      until: '2024-10-20T15:59:59.999Z',
      requestedAt: '2024-10-09T02:00:00.000Z',
      requestedBy: 'op-1',
      decidedAt: null,
      decidedBy: null,
      note: null,
    });
    expect(eventType).toBe('gov.case.extension-requested');
    expect(timeline).toMatchObject({ note: '涉及多个部门', data: expect.objectContaining({ until: '2024-10-20T15:59:59.999Z' }) });
  });

  it('accepts exactly the 15-working-day bound', () => {
    const { state } = apply(makeCase('ACCEPTED'), 'request-extension', { until: MAX_UNTIL });
    expect(workflowOf(state).extension?.until).toBe('2024-10-25T15:59:59.999Z');
  });

  it.each([
    ['beyond 15 working days', new Date('2024-10-25T16:00:00.000Z')],
    ['equal to the current deadline', RECTIFY_DUE],
    ['before the current deadline', new Date('2024-10-10T00:00:00Z')],
    ['not a date', new Date('nonsense')],
  ])('rejects until %s with 400 on field until', (_label, until) => {
    const error = thrown(() => apply(makeCase('ACCEPTED'), 'request-extension', { until }));
    expect(error.code).toBe(ErrorCode.ValidationFailed);
    expect(error.errors).toEqual([{ field: 'until', message: expect.any(String) }]);
  });

  it('refuses a second request while one is pending, and any request after an approval', () => {
    const pending = apply(makeCase('ACCEPTED'), 'request-extension').state;
    expect(thrown(() => apply(pending, 'request-extension')).detail).toMatch(/already pending/);
    const approved = apply(pending, 'decide-extension', { approved: true }).state;
    const error = thrown(() => apply(approved, 'request-extension', { until: MAX_UNTIL }));
    expect(error).toBeInstanceOf(InvalidTransitionError);
    expect(error.detail).toMatch(/extended once/);
  });

  it('allows a new request after a rejection', () => {
    const rejected = apply(apply(makeCase('ACCEPTED'), 'request-extension').state, 'decide-extension', { approved: false }).state;
    expect(workflowOf(apply(rejected, 'request-extension').state).extension?.status).toBe('PENDING');
  });

  it('an approval moves rectifyDueAt to the requested date', () => {
    const pending = makeCase('RESPONDED', {}, { extension: pendingExtension() });
    const { state, eventType, timeline } = apply(pending, 'decide-extension', { approved: true, note: '同意' });
    expect(state.rectifyDueAt).toEqual(new Date('2024-10-20T15:59:59.999Z'));
    expect(state.status).toBe('RESPONDED');
    expect(workflowOf(state).extension).toMatchObject({
      status: 'APPROVED',
      decidedBy: 'sup-1',
      decidedAt: '2024-10-09T02:00:00.000Z',
      note: '同意',
    });
    expect(eventType).toBe('gov.case.extension-decided');
    expect(timeline.data).toMatchObject({
      approved: true,
      until: '2024-10-20T15:59:59.999Z',
      previousRectifyDueAt: '2024-10-12T15:59:59.999Z',
    });
  });

  it('a rejection keeps the deadline', () => {
    const { state } = apply(makeCase('RESPONDED', {}, { extension: pendingExtension() }), 'decide-extension', { approved: false });
    expect(state.rectifyDueAt).toEqual(RECTIFY_DUE);
    expect(workflowOf(state).extension?.status).toBe('REJECTED');
  });

  it('cannot approve beyond the bound given at decision time (409), but can reject', () => {
    const pending = makeCase('RESPONDED', {}, { extension: pendingExtension('2024-10-25T15:59:59.999Z') });
    const tighter = new Date('2024-10-24T15:59:59.999Z');
    expect(thrown(() => apply(pending, 'decide-extension', { approved: true, maxUntil: tighter })).code).toBe(ErrorCode.InvalidTransition);
    expect(apply(pending, 'decide-extension', { approved: false, maxUntil: tighter }).state.rectifyDueAt).toEqual(RECTIFY_DUE);
  });

  it('decide-extension needs a pending request', () => {
    for (const extension of [
      null,
      { ...pendingExtension(), status: 'APPROVED' as const },
      { ...pendingExtension(), status: 'REJECTED' as const },
    ]) {
      const error = thrown(() => apply(makeCase('RESPONDED', {}, { extension }), 'decide-extension'));
      expect(error).toBeInstanceOf(InvalidTransitionError);
    }
  });
});

describe('appeals', () => {
  it.each(['ACCEPTED', 'RESPONDED'] as const)('an appeal from %s remembers it; not upheld goes back there', (from) => {
    const appealed = apply(makeCase(from), 'appeal');
    expect(appealed.state.status).toBe('APPEALING');
    expect(workflowOf(appealed.state)).toMatchObject({ statusBeforeAppeal: from, appealCount: 1 });
    expect(appealed.timeline).toMatchObject({
      note: '恶意差评',
      data: expect.objectContaining({ evidence: ['https://files.example/cctv-0930.mp4'] }),
    });
    const decided = apply(appealed.state, 'decide-appeal', { upheld: false, note: '不予支持' });
    expect(decided.state).toMatchObject({ status: from, outcome: null, closedAt: null });
    expect(workflowOf(decided.state).statusBeforeAppeal).toBeNull();
    expect(decided.eventType).toBe('gov.case.appeal-decided');
    expect(decided.timeline).toMatchObject({ note: '不予支持', data: expect.objectContaining({ upheld: false, toStatus: from }) });
  });

  it('an upheld appeal closes the case with outcome APPEAL_UPHELD', () => {
    const appealed = apply(makeCase('RESPONDED'), 'appeal', { evidence: undefined }).state;
    const { state, eventType, timeline } = apply(appealed, 'decide-appeal', { upheld: true }, SUPERVISOR, new Date('2024-10-11T01:00:00Z'));
    expect(state).toMatchObject({ status: 'CLOSED', outcome: 'APPEAL_UPHELD', closedAt: new Date('2024-10-11T01:00:00Z') });
    expect(eventType).toBe('gov.case.appeal-decided');
    expect(timeline.data).toMatchObject({ upheld: true, fromStatus: 'APPEALING', toStatus: 'CLOSED' });
  });

  it('a case may be appealed only once', () => {
    const back = apply(apply(makeCase('ACCEPTED'), 'appeal').state, 'decide-appeal', { upheld: false }).state;
    expect(thrown(() => apply(back, 'appeal')).detail).toMatch(/appealed once/);
  });

  it('decide-appeal needs the status before the appeal', () => {
    const broken = makeCase('APPEALING', {}, { statusBeforeAppeal: null });
    expect(thrown(() => apply(broken, 'decide-appeal')).code).toBe(ErrorCode.InvalidTransition);
  });
});

describe('urge', () => {
  it.each(['PENDING', 'ACCEPTED', 'RESPONDED', 'RECTIFIED', 'APPEALING'] as const)('in %s counts without changing the status', (status) => {
    const { state, eventType, timeline } = apply(makeCase(status, { urgeCount: 2 }), 'urge', { note: '督办' });
    expect(state).toMatchObject({ status, urgeCount: 3 });
    expect(eventType).toBe('gov.case.urged');
    expect(timeline).toMatchObject({ note: '督办', data: expect.objectContaining({ urgeCount: 3, automatic: false }) });
  });
});

describe('markOverdue', () => {
  const AFTER_RESPONSE = new Date('2024-10-08T16:00:00.000Z');
  const AFTER_RECTIFY = new Date('2024-10-12T16:00:00.000Z');

  it('flags a missed response deadline once', () => {
    const first = markOverdue(makeCase('ACCEPTED'), 'response', AFTER_RESPONSE)!;
    expect(first.state).toMatchObject({ overdue: true, status: 'ACCEPTED' });
    expect(workflowOf(first.state)).toMatchObject({ responseOverdue: true, rectifyOverdue: false });
    expect(first.eventType).toBe('gov.case.overdue');
    expect(first.timeline).toEqual({
      action: 'mark-overdue',
      actor: 'system',
      actorRole: null,
      note: null,
      data: { kind: 'response', dueAt: '2024-10-08T15:59:59.999Z', status: 'ACCEPTED' },
      at: AFTER_RESPONSE,
    });
    expect(markOverdue(first.state, 'response', new Date('2024-10-20T00:00:00Z'))).toBeNull();
  });

  it('does nothing up to and including the deadline millisecond', () => {
    expect(markOverdue(makeCase('PENDING'), 'response', RESPONSE_DUE)).toBeNull();
    expect(markOverdue(makeCase('RESPONDED'), 'rectify', RECTIFY_DUE)).toBeNull();
  });

  it('does not flag a response deadline once the case was responded (even late)', () => {
    const late = makeCase('RESPONDED', { respondedAt: new Date('2024-10-09T00:00:00Z'), respondedOnTime: false });
    expect(markOverdue(late, 'response', AFTER_RECTIFY)).toBeNull();
  });

  it('flags a missed rectify deadline once, independently of the response flag', () => {
    const responseFlagged = makeCase('RESPONDED', { overdue: true }, { responseOverdue: true });
    const flagged = markOverdue(responseFlagged, 'rectify', AFTER_RECTIFY)!;
    expect(workflowOf(flagged.state)).toMatchObject({ responseOverdue: true, rectifyOverdue: true });
    expect(flagged.timeline.data).toMatchObject({ kind: 'rectify', dueAt: '2024-10-12T15:59:59.999Z' });
    expect(markOverdue(flagged.state, 'rectify', AFTER_RECTIFY)).toBeNull();
  });

  it.each(['RECTIFIED', 'CLOSED', 'APPEALING'] as const)('does not flag the rectify deadline in %s', (status) => {
    expect(markOverdue(makeCase(status), 'rectify', AFTER_RECTIFY)).toBeNull();
  });

  it.each(['CLOSED', 'APPEALING'] as const)('does not flag the response deadline in %s', (status) => {
    expect(markOverdue(makeCase(status, { respondedAt: null }), 'response', AFTER_RECTIFY)).toBeNull();
  });

  it('uses the extended deadline and keeps the flag sticky', () => {
    const extended = makeCase('RESPONDED', { rectifyDueAt: MAX_UNTIL });
    expect(markOverdue(extended, 'rectify', AFTER_RECTIFY)).toBeNull();
    const flagged = markOverdue(extended, 'rectify', new Date('2024-10-25T16:00:00Z'))!;
    const rectified = apply(flagged.state, 'rectify').state;
    expect(rectified.overdue).toBe(true);
  });

  it('does not mutate its input', () => {
    const state = makeCase('ACCEPTED');
    const before = structuredClone(state);
    markOverdue(state, 'response', AFTER_RESPONSE);
    expect(state).toEqual(before);
  });
});

describe('a full happy path', () => {
  it('PENDING → ACCEPTED → RESPONDED → RECTIFIED → CLOSED with the expected events', () => {
    let state: TestCase = makeCase('PENDING');
    const events: CaseEventType[] = [];
    const steps: Array<[CaseAction, Date]> = [
      ['accept', new Date('2024-09-30T03:00:00Z')],
      ['respond', new Date('2024-10-08T02:00:00Z')],
      ['rectify', new Date('2024-10-10T02:00:00Z')],
      ['feedback', new Date('2024-10-11T02:00:00Z')],
    ];
    for (const [action, now] of steps) {
      const result = apply(
        state,
        action,
        action === 'respond' ? { contactedAt: new Date('2024-10-08T01:30:00Z') } : {},
        ACTOR_FOR[action],
        now,
      );
      state = result.state;
      events.push(result.eventType);
    }
    expect(events).toEqual(['gov.case.accepted', 'gov.case.responded', 'gov.case.rectified', 'gov.case.closed']);
    expect(state).toMatchObject({
      status: 'CLOSED',
      outcome: 'RECTIFIED',
      respondedAt: new Date('2024-10-08T01:30:00Z'),
      respondedOnTime: true,
      rectifiedAt: new Date('2024-10-10T02:00:00Z'),
      closedAt: new Date('2024-10-11T02:00:00Z'),
      overdue: false,
    });
  });
});

describe('availableActions (what the console offers)', () => {
  it("lists the actions of the actor's role that the case's state allows, and nothing on another unit's case", () => {
    expect(availableActions(makeCase('PENDING'), OPERATOR)).toEqual(['accept']);
    expect(availableActions(makeCase('ACCEPTED'), OPERATOR)).toEqual(['respond', 'request-extension', 'appeal']);
    expect(availableActions(makeCase('ACCEPTED', {}, { extension: pendingExtension() }), OPERATOR)).toEqual(['respond', 'appeal']);
    expect(availableActions(makeCase('ACCEPTED', {}, { extension: pendingExtension() }), SUPERVISOR)).toEqual(['decide-extension', 'urge']);
    expect(availableActions(makeCase('CLOSED'), OPERATOR)).toEqual([]);
    expect(availableActions(makeCase('CLOSED'), SUPERVISOR)).toEqual([]);
    expect(availableActions(makeCase('PENDING'), OTHER_OPERATOR)).toEqual([]);
    expect(availableActions(makeCase('PENDING'), ADMIN)).toEqual([]);
  });
});

describe('reviseDeadlines (a calendar year changed)', () => {
  const revision = (responseDueAt: Date, rectifyDueAt: Date, provisional = false) => ({
    responseDueAt,
    rectifyDueAt,
    provisional,
    calendarYear: 2024,
    calendarChange: 'CONFIRMED' as const,
  });
  const LATER_RESPONSE = new Date('2024-10-09T15:59:59.999Z');
  const LATER_RECTIFY = new Date('2024-10-14T15:59:59.999Z');

  it('does nothing when nothing changes or the case is closed', () => {
    expect(reviseDeadlines(makeCase('PENDING'), revision(RESPONSE_DUE, RECTIFY_DUE), NOW)).toBeNull();
    expect(reviseDeadlines(makeCase('CLOSED'), revision(LATER_RESPONSE, LATER_RECTIFY), NOW)).toBeNull();
  });

  it('records old and new deadlines and carries them in the event', () => {
    const result = reviseDeadlines(makeCase('ACCEPTED', { deadlineProvisional: true }), revision(RESPONSE_DUE, LATER_RECTIFY), NOW)!;
    expect(result.eventType).toBe('gov.case.deadline-changed');
    expect(result.state).toMatchObject({ rectifyDueAt: LATER_RECTIFY, deadlineProvisional: false, status: 'ACCEPTED' });
    expect(result.timeline).toMatchObject({
      action: 'deadline-changed',
      actor: 'system',
      data: {
        previous: { responseDueAt: RESPONSE_DUE.toISOString(), rectifyDueAt: RECTIFY_DUE.toISOString(), deadlineProvisional: true },
        rectifyDueAt: LATER_RECTIFY.toISOString(),
        deadlineProvisional: false,
      },
    });
    expect(result.eventData).toEqual({
      previousResponseDueAt: RESPONSE_DUE.toISOString(),
      previousRectifyDueAt: RECTIFY_DUE.toISOString(),
      previousDeadlineProvisional: true,
      calendarYear: 2024,
      calendarChange: 'CONFIRMED',
    });
    // A change of the provisional flag alone is a change too.
    expect(reviseDeadlines(makeCase('ACCEPTED', { deadlineProvisional: true }), revision(RESPONSE_DUE, RECTIFY_DUE), NOW)).not.toBeNull();
  });

  it('judges the contact again against the moved response deadline', () => {
    const lateContact = makeCase('RESPONDED', { respondedAt: new Date('2024-10-09T02:00:00Z'), respondedOnTime: false });
    const result = reviseDeadlines(lateContact, revision(LATER_RESPONSE, RECTIFY_DUE), NOW)!;
    expect(result.state.respondedOnTime).toBe(true);
    expect(result.timeline.data).toMatchObject({ respondedOnTime: true });
    const earlier = reviseDeadlines(makeCase('RESPONDED'), revision(new Date('2024-10-07T15:59:59.999Z'), RECTIFY_DUE), NOW)!;
    expect(earlier.state.respondedOnTime).toBe(false); // contacted Oct 8 01:00Z, after the moved deadline
  });

  it('withdraws a missed-deadline flag whose deadline moved later and not yet passed, keeps one still missed', () => {
    const flagged = makeCase('ACCEPTED', { overdue: true }, { responseOverdue: true, rectifyOverdue: true });
    const now = new Date('2024-10-13T00:00:00Z'); // after the old rectify deadline, before the new one
    const result = reviseDeadlines(flagged, revision(RESPONSE_DUE, LATER_RECTIFY), now)!;
    expect(readWorkflow(result.state.workflow)).toMatchObject({ responseOverdue: true, rectifyOverdue: false });
    expect(result.state.overdue).toBe(true);
    expect(result.timeline.data.overdueWithdrawn).toEqual(['rectify']);
    const onlyRectify = makeCase('RESPONDED', { overdue: true }, { rectifyOverdue: true });
    expect(reviseDeadlines(onlyRectify, revision(RESPONSE_DUE, LATER_RECTIFY), now)!.state.overdue).toBe(false);
    // Moved later but already passed unmet: the flag stays.
    expect(reviseDeadlines(onlyRectify, revision(RESPONSE_DUE, LATER_RECTIFY), new Date('2024-10-15T00:00:00Z'))!.state.overdue).toBe(true);
  });
});
