import { actionOverdue, actionStepTarget, availableActionSteps, classStatusOf } from './problem-class-rules.js';

describe('类问题 rules', () => {
  it('moves an action ASSIGNED → REPORTED → ACCEPTED, or back through RETURNED, and nowhere else', () => {
    expect(actionStepTarget('ASSIGNED', 'report')).toBe('REPORTED');
    expect(actionStepTarget('RETURNED', 'report')).toBe('REPORTED');
    expect(actionStepTarget('REPORTED', 'accept')).toBe('ACCEPTED');
    expect(actionStepTarget('REPORTED', 'return')).toBe('RETURNED');
    expect(actionStepTarget('REPORTED', 'report')).toBeNull();
    expect(actionStepTarget('ASSIGNED', 'accept')).toBeNull();
    expect(actionStepTarget('ACCEPTED', 'return')).toBeNull();
    expect(actionStepTarget('ACCEPTED', 'report')).toBeNull();
  });

  it('solves a class only when it has actions and all are accepted', () => {
    expect(classStatusOf([])).toBe('OPEN');
    expect(classStatusOf([{ status: 'ACCEPTED' }, { status: 'REPORTED' }])).toBe('OPEN');
    expect(classStatusOf([{ status: 'ACCEPTED' }, { status: 'ACCEPTED' }])).toBe('SOLVED');
  });

  it('calls an unreported action past its due time overdue', () => {
    const dueAt = new Date('2026-12-01T15:59:59.999Z');
    const after = new Date('2026-12-01T16:00:00.000Z');
    expect(actionOverdue({ status: 'ASSIGNED', dueAt }, after)).toBe(true);
    expect(actionOverdue({ status: 'RETURNED', dueAt }, after)).toBe(true);
    expect(actionOverdue({ status: 'REPORTED', dueAt }, after)).toBe(false);
    expect(actionOverdue({ status: 'ASSIGNED', dueAt }, dueAt)).toBe(false);
  });

  it('offers the unit its report and the supervisor the decision, nothing once the class is solved', () => {
    const action = { status: 'ASSIGNED' as const, unitCode: 'CN-01' };
    expect(availableActionSteps(action, 'OPEN', { role: 'unit_operator', unitCode: 'CN-01' })).toEqual(['report']);
    expect(availableActionSteps(action, 'OPEN', { role: 'unit_operator', unitCode: 'CN-02' })).toEqual([]);
    expect(availableActionSteps(action, 'OPEN', { role: 'supervisor', unitCode: null })).toEqual([]);
    const reported = { status: 'REPORTED' as const, unitCode: 'CN-01' };
    expect(availableActionSteps(reported, 'OPEN', { role: 'supervisor', unitCode: null })).toEqual(['accept', 'return']);
    expect(availableActionSteps(reported, 'SOLVED', { role: 'supervisor', unitCode: null })).toEqual([]);
  });
});
