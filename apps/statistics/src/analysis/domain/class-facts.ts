/**
 * What statistics keeps of a 类问题 (from its latest gov.problem-class.* event), and the report's definitions of the
 * classes it counts. Plain functions, no framework.
 *
 * For a period [from, to] of Shanghai days (and a scope: the district, or one unit):
 * - opened: classes whose openedAt falls in the period;
 * - solved: classes whose solvedAt falls in the period (a solved class is final, so this never moves back);
 * - casesCovered: the distinct cases of the classes solved in the period.
 * A unit's report counts the classes that concern the unit (a case of the unit, or an action assigned to it), and of
 * their cases only the unit's. The bulletin's sentence 本季度通过解决 N 个诉求带动破解 M 类问题 is N = casesCovered,
 * M = solved.
 */
import { shanghaiDate } from '#libs/common';
import type { ProblemClassData } from '#libs/contracts';

export interface ClassFact {
  classId: string;
  version: number;
  categoryCode: string;
  status: string;
  openedDay: string;
  solvedDay: string | null;
  /** The units of its cases and of its actions, sorted. */
  unitCodes: string[];
  cases: Array<{ caseId: string; unitCode: string }>;
}

export function classFactOf(data: ProblemClassData): ClassFact {
  return {
    classId: data.classId,
    version: data.version,
    categoryCode: data.categoryCode,
    status: data.status,
    openedDay: shanghaiDate(data.openedAt),
    solvedDay: data.solvedAt === null ? null : shanghaiDate(data.solvedAt),
    unitCodes: [...new Set([...data.cases.map((c) => c.unitCode), ...data.actions.map((a) => a.unitCode)])].sort(),
    cases: data.cases.map((c) => ({ caseId: c.caseId, unitCode: c.unitCode })),
  };
}

/** The latest fact of each class among `facts` (highest version wins; the log's order breaks no tie: versions are unique). */
export function latestFacts(facts: readonly ClassFact[]): ClassFact[] {
  const byClass = new Map<string, ClassFact>();
  for (const f of facts) {
    const seen = byClass.get(f.classId);
    if (!seen || seen.version < f.version) byClass.set(f.classId, f);
  }
  return [...byClass.values()].sort((a, b) => (a.classId < b.classId ? -1 : a.classId > b.classId ? 1 : 0));
}
