/**
 * The rules of 类问题 and their improvement actions (优化一类服务). Plain functions, no framework.
 *
 * - A class is OPEN until it has at least one action and every action is ACCEPTED: then it is SOLVED, at the time the
 *   last one was accepted. A SOLVED class is final: its cases and actions no longer change (409 INVALID_TRANSITION).
 * - An action is ASSIGNED to one unit; the unit reports it done with evidence (REPORTED); the supervisor accepts it
 *   (ACCEPTED) or returns it with a reason (RETURNED), and the unit reports again.
 * - An action is overdue while it is not reported (ASSIGNED or RETURNED) and its due time has passed.
 */
import type { ImprovementActionStatus, ProblemClassStatus } from '#libs/contracts';

export const ACTION_STEPS = ['report', 'accept', 'return'] as const;
export type ActionStep = (typeof ACTION_STEPS)[number];

/** The status an action goes to by `step`, or null when the step does not apply in `status`. */
export function actionStepTarget(status: ImprovementActionStatus, step: ActionStep): ImprovementActionStatus | null {
  switch (step) {
    case 'report':
      return status === 'ASSIGNED' || status === 'RETURNED' ? 'REPORTED' : null;
    case 'accept':
      return status === 'REPORTED' ? 'ACCEPTED' : null;
    case 'return':
      return status === 'REPORTED' ? 'RETURNED' : null;
  }
}

/** SOLVED when the class has actions and all of them are accepted; OPEN otherwise. */
export function classStatusOf(actions: ReadonlyArray<{ status: ImprovementActionStatus }>): ProblemClassStatus {
  return actions.length > 0 && actions.every((a) => a.status === 'ACCEPTED') ? 'SOLVED' : 'OPEN';
}

export function actionOverdue(action: { status: ImprovementActionStatus; dueAt: Date }, now: Date): boolean {
  return (action.status === 'ASSIGNED' || action.status === 'RETURNED') && now.getTime() > action.dueAt.getTime();
}

/** The steps a person may take on an action now: the unit's operator reports, a supervisor accepts or returns. */
export function availableActionSteps(
  action: { status: ImprovementActionStatus; unitCode: string },
  classStatus: ProblemClassStatus,
  user: { role: string; unitCode: string | null },
): ActionStep[] {
  if (classStatus === 'SOLVED') return [];
  return ACTION_STEPS.filter((step) => {
    if (actionStepTarget(action.status, step) === null) return false;
    return step === 'report' ? user.role === 'unit_operator' && user.unitCode === action.unitCode : user.role === 'supervisor';
  });
}

/** Most working days an action may be given (a quarter's worth). */
export const MAX_ACTION_WORKING_DAYS = 60;
