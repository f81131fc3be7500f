import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, In, type QueryDeepPartialEntity } from 'typeorm';
import { scopedUnit, type UserPrincipal } from '#libs/auth';
import { DomainError, ErrorCode, type FieldError } from '#libs/common';
import { type AuditAction, Events, EventTypes, type ProblemClassData, type ProblemClassType, Topics } from '#libs/contracts';
import { auditOutboxEntry, OutboxService } from '#libs/messaging';
import { rectificationAuditSummaries as summaries } from '../audit-summaries.js';
import { CalendarService } from '../calendar/calendar.service.js';
import { CaseEntity } from '../cases/case.entity.js';
import { CaseResponseDto } from '../cases/dto/case.response.js';
import { ProblemCategoriesService } from '../categories/problem-categories.service.js';
import { actionOverdue, actionStepTarget, type ActionStep, availableActionSteps, classStatusOf } from './domain/problem-class-rules.js';
import type {
  AcceptActionDto,
  AddClassCasesDto,
  AssignActionDto,
  CreateProblemClassDto,
  ImprovementActionDto,
  ListImprovementActionsQuery,
  ListProblemClassesQuery,
  ProblemClassDetailDto,
  ProblemClassSummaryDto,
  ReportActionDto,
  ReturnActionDto,
} from './dto/problem-classes.dto.js';
import { MAX_CLASS_CASES } from './dto/problem-classes.dto.js';
import { ImprovementActionEntity, ProblemClassCaseEntity, ProblemClassEntity, ProblemClassTimelineEntry } from './problem-class.entity.js';

/** One step's record: its timeline entry, its event and its audit line. */
interface Step {
  action: string;
  type: ProblemClassType;
  audit: AuditAction;
  summary: string;
  actionId?: string | null;
  unitCode?: string | null;
  note?: string | null;
  data?: Record<string, unknown>;
  detail?: Record<string, string | number | boolean | null | string[]>;
}

/** The class as it now stands, as every `gov.problem-class.*` event carries it (its steps, and a replay). */
export async function problemClassData(m: EntityManager, id: string, actionId: string | null, actor: string): Promise<ProblemClassData> {
  const cls = await m.findOneByOrFail(ProblemClassEntity, { id });
  const cases = await m.query<Array<{ caseId: string; unitCode: string }>>(
    `SELECT p.case_id AS "caseId", c.unit_code AS "unitCode" FROM problem_class_cases p JOIN cases c ON c.id = p.case_id
      WHERE p.class_id = $1 ORDER BY p.case_id`,
    [id],
  );
  const actions = await m.find(ImprovementActionEntity, { where: { classId: id }, order: { assignedAt: 'ASC', id: 'ASC' } });
  return {
    classId: cls.id,
    title: cls.title,
    categoryCode: cls.categoryCode,
    status: cls.status,
    openedAt: cls.openedAt.toISOString(),
    solvedAt: cls.solvedAt?.toISOString() ?? null,
    cases,
    actions: actions.map((a) => ({
      actionId: a.id,
      unitCode: a.unitCode,
      status: a.status,
      dueAt: a.dueAt.toISOString(),
      reportedAt: a.reportedAt?.toISOString() ?? null,
      acceptedAt: a.acceptedAt?.toISOString() ?? null,
    })),
    actionId,
    version: cls.version,
    actor,
  };
}

/**
 * 类问题 and their improvement actions. Every step locks the class row for its transaction (concurrent steps on one
 * class serialize), raises its version, and writes, in that transaction, a timeline entry, a `gov.problem-class.*`
 * event carrying the class as it now stands, and an audit entry (gov.audit.recorded).
 */
@Injectable()
export class ProblemClassesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly categories: ProblemCategoriesService,
    private readonly calendar: CalendarService,
    private readonly outbox: OutboxService,
  ) {}

  async create(user: UserPrincipal, body: CreateProblemClassDto): Promise<ProblemClassDetailDto> {
    const id = randomUUID();
    await this.dataSource.transaction(async (m) => {
      const errors: FieldError[] = [];
      const categoryProblem = await this.categories.selectableProblem(m, body.categoryCode);
      if (categoryProblem) errors.push({ field: 'categoryCode', message: categoryProblem });
      errors.push(...(await this.unknownCases(m, body.caseIds)));
      if (errors.length > 0) throw DomainError.validation(errors);
      const at = new Date();
      await m.insert(ProblemClassEntity, {
        id,
        title: body.title,
        categoryCode: body.categoryCode,
        description: body.description,
        status: 'OPEN',
        openedBy: user.sub,
        openedAt: at,
        solvedAt: null,
        version: 1,
      });
      await m.insert(
        ProblemClassCaseEntity,
        body.caseIds.map((caseId) => ({ classId: id, caseId, addedBy: user.sub, addedAt: at })),
      );
      const created = await m.findOneByOrFail(ProblemClassEntity, { id });
      await this.record(m, user, created, at, {
        action: 'open',
        type: EventTypes.ProblemClassOpened,
        audit: 'PROBLEM_CLASS_OPENED',
        summary: summaries.classOpened(created, await this.categoryName(m, created.categoryCode), body.caseIds.length),
        data: { categoryCode: body.categoryCode, caseIds: body.caseIds },
        detail: { classId: id, title: created.title, categoryCode: created.categoryCode, caseIds: body.caseIds },
      });
    });
    return this.get(user, id);
  }

  async addCases(user: UserPrincipal, id: string, body: AddClassCasesDto): Promise<ProblemClassDetailDto> {
    await this.dataSource.transaction(async (m) => {
      const cls = await this.lockOpen(m, id);
      const errors = await this.unknownCases(m, body.caseIds);
      if (errors.length > 0) throw DomainError.validation(errors);
      const present = new Set((await m.findBy(ProblemClassCaseEntity, { classId: id })).map((c) => c.caseId));
      const added = body.caseIds.filter((caseId) => !present.has(caseId));
      if (added.length === 0) return;
      if (present.size + added.length > MAX_CLASS_CASES)
        throw DomainError.validation([{ field: 'caseIds', message: `a class holds at most ${MAX_CLASS_CASES} cases` }]);
      const at = new Date();
      await m.insert(
        ProblemClassCaseEntity,
        added.map((caseId) => ({ classId: id, caseId, addedBy: user.sub, addedAt: at })),
      );
      await this.record(m, user, cls, at, {
        action: 'add-cases',
        type: EventTypes.ProblemClassCasesChanged,
        audit: 'PROBLEM_CLASS_CASES_CHANGED',
        summary: summaries.classCasesChanged(cls, added.length, 0),
        data: { caseIds: added },
        detail: { classId: id, title: cls.title, added },
      });
    });
    return this.get(user, id);
  }

  async removeCase(user: UserPrincipal, id: string, caseId: string): Promise<ProblemClassDetailDto> {
    await this.dataSource.transaction(async (m) => {
      const cls = await this.lockOpen(m, id);
      const members = await m.findBy(ProblemClassCaseEntity, { classId: id });
      if (!members.some((c) => c.caseId === caseId)) throw DomainError.notFound(`Case ${caseId} in problem class ${id}`);
      if (members.length === 1)
        throw new DomainError(ErrorCode.Conflict, 'A problem class keeps at least one case: add another before removing this one.');
      await m.delete(ProblemClassCaseEntity, { classId: id, caseId });
      await this.record(m, user, cls, new Date(), {
        action: 'remove-case',
        type: EventTypes.ProblemClassCasesChanged,
        audit: 'PROBLEM_CLASS_CASES_CHANGED',
        summary: summaries.classCasesChanged(cls, 0, 1),
        data: { caseIds: [caseId] },
        detail: { classId: id, title: cls.title, removed: [caseId] },
      });
    });
    return this.get(user, id);
  }

  async assignAction(user: UserPrincipal, id: string, body: AssignActionDto): Promise<ProblemClassDetailDto> {
    const errors: FieldError[] = [];
    if ((body.dueAt === undefined) === (body.workingDays === undefined)) {
      const message = body.dueAt === undefined ? 'give dueAt or workingDays' : 'give dueAt or workingDays, not both';
      errors.push({ field: 'dueAt', message }, { field: 'workingDays', message });
    }
    const now = new Date();
    if (body.dueAt !== undefined && Date.parse(body.dueAt) <= now.getTime())
      errors.push({ field: 'dueAt', message: 'must be in the future' });
    const [unit] = await this.dataSource.query<Array<{ unitName: string }>>(
      `SELECT unit_name AS "unitName" FROM cases WHERE unit_code = $1 ORDER BY opened_at DESC LIMIT 1`,
      [body.unitCode],
    );
    if (!unit) errors.push({ field: 'unitCode', message: 'is not a unit known to rectification (no case of it)' });
    if (errors.length > 0) throw DomainError.validation(errors);
    const dueAt = body.dueAt !== undefined ? new Date(body.dueAt) : (await this.calendar.calendar()).addWorkingDays(now, body.workingDays!);
    await this.dataSource.transaction(async (m) => {
      const cls = await this.lockOpen(m, id);
      const actionId = randomUUID();
      await m.insert(ImprovementActionEntity, {
        id: actionId,
        classId: id,
        unitCode: body.unitCode,
        unitName: unit!.unitName,
        action: body.action,
        dueAt,
        status: 'ASSIGNED',
        assignedBy: user.sub,
        assignedAt: now,
        evidence: [],
      });
      await this.record(m, user, cls, now, {
        action: 'assign-action',
        type: EventTypes.ProblemClassActionAssigned,
        audit: 'IMPROVEMENT_ACTION_ASSIGNED',
        summary: summaries.actionAssigned(cls, unit!.unitName, dueAt),
        actionId,
        unitCode: body.unitCode,
        note: body.action,
        data: { dueAt: dueAt.toISOString(), ...(body.workingDays !== undefined ? { workingDays: body.workingDays } : {}) },
        detail: { classId: id, title: cls.title, actionId, unitCode: body.unitCode, dueAt: dueAt.toISOString() },
      });
    });
    return this.get(user, id);
  }

  /** The unit's operator reports its action done, with evidence; a supervisor accepts it (the last one solves the class) or returns it. */
  async step(
    user: UserPrincipal,
    id: string,
    actionId: string,
    step: ActionStep,
    body: ReportActionDto | AcceptActionDto | ReturnActionDto,
  ): Promise<ProblemClassDetailDto> {
    await this.dataSource.transaction(async (m) => {
      const cls = await this.lock(m, id);
      const action = await m.findOneBy(ImprovementActionEntity, { id: actionId, classId: id });
      if (!action) throw DomainError.notFound(`Improvement action ${actionId} of problem class ${id}`);
      if (step === 'report' && user.unitCode !== action.unitCode)
        throw new DomainError(ErrorCode.ForbiddenUnit, 'This action belongs to another unit.');
      const target = cls.status === 'SOLVED' ? null : actionStepTarget(action.status, step);
      if (!target)
        throw new DomainError(
          ErrorCode.InvalidTransition,
          `An action in status ${action.status} cannot be ${step}ed (class ${cls.status}).`,
        );
      const at = new Date();
      const detail = { classId: id, title: cls.title, actionId, unitCode: action.unitCode };
      if (step === 'report') {
        const b = body as ReportActionDto;
        await m.update(
          ImprovementActionEntity,
          { id: actionId },
          { status: target, reportedAt: at, report: b.report, evidence: b.evidence },
        );
        await this.record(m, user, cls, at, {
          action: 'report-action',
          type: EventTypes.ProblemClassActionReported,
          audit: 'IMPROVEMENT_ACTION_REPORTED',
          summary: summaries.actionReported(cls, action.unitName),
          actionId,
          unitCode: action.unitCode,
          note: b.report,
          data: { evidence: b.evidence },
          detail,
        });
      } else if (step === 'return') {
        const b = body as ReturnActionDto;
        await m.update(
          ImprovementActionEntity,
          { id: actionId },
          { status: target, returnNote: b.note, returnedCount: action.returnedCount + 1 },
        );
        await this.record(m, user, cls, at, {
          action: 'return-action',
          type: EventTypes.ProblemClassActionReturned,
          audit: 'IMPROVEMENT_ACTION_RETURNED',
          summary: summaries.actionReturned(cls, action.unitName, b.note),
          actionId,
          unitCode: action.unitCode,
          note: b.note,
          detail: { ...detail, reason: b.note },
        });
      } else {
        const b = body as AcceptActionDto;
        await m.update(ImprovementActionEntity, { id: actionId }, { status: target, acceptedAt: at });
        const solved = classStatusOf(await m.findBy(ImprovementActionEntity, { classId: id })) === 'SOLVED';
        if (solved) {
          await m.update(ProblemClassEntity, { id }, { status: 'SOLVED', solvedAt: at });
          await m.insert(ProblemClassTimelineEntry, {
            classId: id,
            action: 'accept-action',
            actor: user.sub,
            actorRole: user.role,
            actionId,
            unitCode: action.unitCode,
            note: b.note ?? null,
            data: {},
            at,
          });
        }
        await this.record(m, user, { ...cls, status: solved ? 'SOLVED' : cls.status }, at, {
          action: solved ? 'solved' : 'accept-action',
          type: solved ? EventTypes.ProblemClassSolved : EventTypes.ProblemClassActionAccepted,
          audit: 'IMPROVEMENT_ACTION_ACCEPTED',
          summary: summaries.actionAccepted(cls, action.unitName, solved),
          actionId,
          unitCode: solved ? null : action.unitCode,
          note: solved ? null : (b.note ?? null),
          detail: { ...detail, solved },
        });
      }
    });
    return this.get(user, id);
  }

  /** A page of classes, newest first; a unit operator sees only the classes with an action of its unit, counted for its unit. */
  async list(
    user: UserPrincipal,
    query: ListProblemClassesQuery,
  ): Promise<{ items: ProblemClassSummaryDto[]; page: number; pageSize: number; total: number }> {
    const unit = user.role === 'unit_operator' ? user.unitCode : null;
    const where = [`($1::text IS NULL OR c.status = $1)`, `($2::text IS NULL OR c.category_code = $2 OR k.parent_code = $2)`];
    if (unit) where.push(`EXISTS (SELECT 1 FROM improvement_actions a WHERE a.class_id = c.id AND a.unit_code = $3)`);
    const params = [query.status ?? null, query.categoryCode ?? null, ...(unit ? [unit] : [])];
    const from = `FROM problem_classes c JOIN problem_categories k ON k.code = c.category_code WHERE ${where.join(' AND ')}`;
    const [{ total }] = await this.dataSource.query<Array<{ total: number }>>(`SELECT count(*)::int AS total ${from}`, params);
    const rows = await this.dataSource.query<Array<{ id: string }>>(
      `SELECT c.id ${from} ORDER BY c.opened_at DESC, c.id LIMIT ${query.pageSize} OFFSET ${(query.page - 1) * query.pageSize}`,
      params,
    );
    const views = await this.views(
      this.dataSource.manager,
      user,
      rows.map((r) => r.id),
    );
    return { items: views.map(({ summary }) => summary), page: query.page, pageSize: query.pageSize, total };
  }

  /** One class with its cases, actions and timeline; a unit operator only a class with an action of its unit, scoped to it. */
  async get(user: UserPrincipal, id: string): Promise<ProblemClassDetailDto> {
    const [view] = await this.views(this.dataSource.manager, user, [id]);
    if (!view) throw DomainError.notFound(`Problem class ${id}`);
    const { cls, summary, cases, actions } = view;
    if (user.role === 'unit_operator' && actions.length === 0)
      throw new DomainError(ErrorCode.ForbiddenUnit, 'This problem class has no action of your unit.');
    const entries = await this.dataSource.manager.find(ProblemClassTimelineEntry, { where: { classId: id }, order: { id: 'ASC' } });
    const unit = user.role === 'unit_operator' ? user.unitCode : null;
    const timeline = entries
      .filter((e) => !unit || e.unitCode === unit || e.action === 'open' || e.action === 'solved')
      .map((e) => ({
        action: e.action,
        actor: e.actor,
        actorRole: e.actorRole,
        actionId: e.actionId,
        unitCode: e.unitCode,
        note: e.note,
        // Case ids of other units are not shown to a unit operator.
        data: unit ? { ...e.data, caseIds: undefined } : e.data,
        at: e.at.toISOString(),
      }));
    return {
      ...summary,
      description: cls.description,
      cases,
      actions,
      timeline,
      editable: user.role === 'supervisor' && cls.status === 'OPEN',
    };
  }

  /** Improvement actions, the nearest due first among the outstanding; a unit operator sees only its own unit's. */
  async actions(
    user: UserPrincipal,
    query: ListImprovementActionsQuery,
  ): Promise<{ items: ImprovementActionDto[]; page: number; pageSize: number; total: number }> {
    const unitCode = scopedUnit(user, query.unitCode) ?? null;
    const params = [query.status ?? null, unitCode];
    const where = `WHERE ($1::text IS NULL OR a.status = $1) AND ($2::text IS NULL OR a.unit_code = $2)`;
    const [{ total }] = await this.dataSource.query<Array<{ total: number }>>(
      `SELECT count(*)::int AS total FROM improvement_actions a ${where}`,
      params,
    );
    const ids = await this.dataSource.query<Array<{ id: string }>>(
      `SELECT a.id FROM improvement_actions a ${where}
       ORDER BY CASE a.status WHEN 'ACCEPTED' THEN 1 ELSE 0 END, a.due_at, a.id
       LIMIT ${query.pageSize} OFFSET ${(query.page - 1) * query.pageSize}`,
      params,
    );
    const rows = await this.dataSource.manager.findBy(ImprovementActionEntity, { id: In(ids.map((r) => r.id)) });
    const classes = await this.classInfo(this.dataSource.manager, [...new Set(rows.map((r) => r.classId))]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    const now = new Date();
    return {
      items: ids.map((r) => this.actionDto(byId.get(r.id)!, classes.get(byId.get(r.id)!.classId)!, user, now)),
      page: query.page,
      pageSize: query.pageSize,
      total,
    };
  }

  // ------------------------------------------------------------------ internals

  private async lock(m: EntityManager, id: string): Promise<ProblemClassEntity> {
    const cls = await m.findOne(ProblemClassEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!cls) throw DomainError.notFound(`Problem class ${id}`);
    return cls;
  }

  private async lockOpen(m: EntityManager, id: string): Promise<ProblemClassEntity> {
    const cls = await this.lock(m, id);
    if (cls.status !== 'OPEN') throw new DomainError(ErrorCode.InvalidTransition, 'The problem class is solved: it no longer changes.');
    return cls;
  }

  /** `caseIds.<i>` for each id that is not a case. */
  private async unknownCases(m: EntityManager, caseIds: string[]): Promise<FieldError[]> {
    const found = new Set((await m.find(CaseEntity, { select: { id: true }, where: { id: In(caseIds) } })).map((c) => c.id));
    return caseIds.flatMap((caseId, i) => (found.has(caseId) ? [] : [{ field: `caseIds.${i}`, message: 'is not a known case' }]));
  }

  private async categoryName(m: EntityManager, code: string): Promise<string> {
    const [row] = await m.query<Array<{ name: string }>>(`SELECT name FROM problem_categories WHERE code = $1`, [code]);
    return row?.name ?? code;
  }

  /** Raises the class's version and writes the step's timeline entry, event and audit entry. */
  private async record(m: EntityManager, user: UserPrincipal, cls: ProblemClassEntity, at: Date, step: Step): Promise<void> {
    const version = cls.version + 1 - (step.type === EventTypes.ProblemClassOpened ? 1 : 0);
    if (version !== cls.version) await m.update(ProblemClassEntity, { id: cls.id }, { version });
    await m.insert(ProblemClassTimelineEntry, {
      classId: cls.id,
      action: step.action,
      actor: user.sub,
      actorRole: user.role,
      actionId: step.actionId ?? null,
      unitCode: step.unitCode ?? null,
      note: step.note ?? null,
      data: (step.data ?? {}) as QueryDeepPartialEntity<Record<string, unknown>>,
      at,
    });
    const data = await problemClassData(m, cls.id, step.actionId ?? null, user.sub);
    await this.outbox.add(m, [
      { topic: Topics.ProblemClasses, key: cls.id, event: Events.problemClassChanged(step.type, data, { subject: cls.id, time: at }) },
      auditOutboxEntry({
        service: 'Rectification',
        actor: user,
        action: step.audit,
        summary: step.summary,
        detail: step.detail ?? { classId: cls.id },
        at,
      }),
    ]);
  }

  private async classInfo(m: EntityManager, ids: string[]): Promise<Map<string, ProblemClassEntity & { categoryName: string }>> {
    if (ids.length === 0) return new Map();
    const rows = await m.query<Array<{ id: string; categoryName: string }>>(
      `SELECT c.id, k.name AS "categoryName" FROM problem_classes c JOIN problem_categories k ON k.code = c.category_code WHERE c.id = ANY($1::uuid[])`,
      [ids],
    );
    const names = new Map(rows.map((r) => [r.id, r.categoryName]));
    const classes = await m.findBy(ProblemClassEntity, { id: In(ids) });
    return new Map(classes.map((c) => [c.id, { ...c, categoryName: names.get(c.id) ?? c.categoryCode }]));
  }

  /** Classes as `user` may see them, in the order of `ids` (missing ids left out). */
  private async views(m: EntityManager, user: UserPrincipal, ids: string[]) {
    const classes = await this.classInfo(m, ids);
    const unit = user.role === 'unit_operator' ? user.unitCode : null;
    const members = ids.length
      ? await m.query<Array<{ classId: string; caseId: string }>>(
          `SELECT class_id AS "classId", case_id AS "caseId" FROM problem_class_cases WHERE class_id = ANY($1::uuid[]) ORDER BY added_at, case_id`,
          [ids],
        )
      : [];
    const caseRows = members.length ? await m.findBy(CaseEntity, { id: In(members.map((r) => r.caseId)) }) : [];
    const casesById = new Map(caseRows.map((c) => [c.id, c]));
    const actionRows = ids.length
      ? await m.find(ImprovementActionEntity, { where: { classId: In(ids) }, order: { assignedAt: 'ASC', id: 'ASC' } })
      : [];
    const now = new Date();
    return ids.flatMap((id) => {
      const cls = classes.get(id);
      if (!cls) return [];
      const cases = members
        .filter((r) => r.classId === id)
        .map((r) => casesById.get(r.caseId)!)
        .filter((c) => !unit || c.unitCode === unit);
      const actions = actionRows
        .filter((a) => a.classId === id && (!unit || a.unitCode === unit))
        .map((a) => this.actionDto(a, cls, user, now));
      const summary: ProblemClassSummaryDto = {
        id: cls.id,
        title: cls.title,
        categoryCode: cls.categoryCode,
        categoryName: cls.categoryName,
        status: cls.status,
        openedBy: cls.openedBy,
        openedAt: cls.openedAt.toISOString(),
        solvedAt: cls.solvedAt?.toISOString() ?? null,
        caseCount: cases.length,
        unitCodes: [...new Set(cases.map((c) => c.unitCode))].sort(),
        actionCount: actions.length,
        actionsAccepted: actions.filter((a) => a.status === 'ACCEPTED').length,
        actionsOverdue: actions.filter((a) => a.overdue).length,
      };
      return [{ cls, summary, cases: cases.map((c) => CaseResponseDto.fromEntity(c)), actions }];
    });
  }

  private actionDto(
    a: ImprovementActionEntity,
    cls: ProblemClassEntity & { categoryName: string },
    user: UserPrincipal,
    now: Date,
  ): ImprovementActionDto {
    return {
      id: a.id,
      classId: a.classId,
      classTitle: cls.title,
      classDescription: cls.description,
      categoryCode: cls.categoryCode,
      categoryName: cls.categoryName,
      classStatus: cls.status,
      unitCode: a.unitCode,
      unitName: a.unitName,
      action: a.action,
      dueAt: a.dueAt.toISOString(),
      status: a.status,
      overdue: actionOverdue(a, now),
      assignedBy: a.assignedBy,
      assignedAt: a.assignedAt.toISOString(),
      reportedAt: a.reportedAt?.toISOString() ?? null,
      report: a.report,
      evidence: a.evidence,
      acceptedAt: a.acceptedAt?.toISOString() ?? null,
      returnNote: a.returnNote,
      returnedCount: a.returnedCount,
      steps: availableActionSteps(a, cls.status, user),
    };
  }
}
