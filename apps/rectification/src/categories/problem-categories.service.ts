import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { DomainError, ErrorCode } from '#libs/common';
import type { UserPrincipal } from '#libs/auth';
import { Events, Topics } from '#libs/contracts';
import { auditOutboxEntry, OutboxService } from '#libs/messaging';
import { rectificationAuditSummaries } from '../audit-summaries.js';
import { ProblemCategoryEntity } from './problem-category.entity.js';
import { type CreateProblemCategoryDto, ProblemCategoryDto, type UpdateProblemCategoryDto } from './problem-categories.dto.js';

const snapshot = (e: ProblemCategoryEntity) => ({ parentCode: e.parentCode, name: e.name, sort: e.sort, retired: e.retired });

/**
 * The 问题分类 taxonomy: two levels, edited by admins (every change audited in problem_category_changes),
 * never deleted — a category is retired instead, and cases that recorded it keep it.
 */
@Injectable()
export class ProblemCategoriesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
  ) {}

  /** Top-level categories in their order, each followed by its sub-categories. */
  async list(includeRetired: boolean): Promise<ProblemCategoryDto[]> {
    const rows = await this.dataSource.getRepository(ProblemCategoryEntity).find({ order: { sort: 'ASC', code: 'ASC' } });
    const used = new Map<string, number>(
      (
        await this.dataSource.query<{ code: string; n: number }[]>(
          `SELECT problem_category AS code, count(*)::int AS n FROM cases WHERE problem_category IS NOT NULL GROUP BY 1`,
        )
      ).map((r) => [r.code, r.n]),
    );
    const visible = rows.filter((r) => includeRetired || !r.retired);
    const out: ProblemCategoryDto[] = [];
    for (const top of visible.filter((r) => r.parentCode === null)) {
      out.push(ProblemCategoryDto.of(top, used.get(top.code) ?? 0));
      for (const child of visible.filter((r) => r.parentCode === top.code))
        out.push(ProblemCategoryDto.of(child, used.get(child.code) ?? 0));
    }
    return out;
  }

  async create(user: UserPrincipal, body: CreateProblemCategoryDto): Promise<ProblemCategoryDto> {
    return this.dataSource.transaction(async (manager) => {
      const repo = manager.getRepository(ProblemCategoryEntity);
      const parentCode = body.parentCode ?? null;
      if (parentCode !== null) {
        const parent = await repo.findOneBy({ code: parentCode });
        const why = !parent
          ? 'is not a known category'
          : parent.parentCode !== null
            ? 'is itself a sub-category (two levels only)'
            : parent.retired
              ? 'is retired'
              : null;
        if (why) throw DomainError.validation([{ field: 'parentCode', message: why }]);
      }
      const inserted = await manager.query<unknown[]>(
        `INSERT INTO problem_categories (code, parent_code, name, sort) VALUES ($1, $2, $3,
           COALESCE($4, (SELECT COALESCE(max(sort), 0) + 1 FROM problem_categories)))
         ON CONFLICT (code) DO NOTHING RETURNING code`,
        [body.code, parentCode, body.name, body.sort ?? null],
      );
      if (inserted.length === 0) throw new DomainError(ErrorCode.Conflict, `Category ${body.code} already exists; codes are never reused.`);
      const saved = await repo.findOneByOrFail({ code: body.code });
      await this.audit(manager, saved.code, 'CREATE', user.sub, null, snapshot(saved));
      await this.announce(manager, user, saved, true);
      return ProblemCategoryDto.of(saved, 0);
    });
  }

  async update(user: UserPrincipal, code: string, body: UpdateProblemCategoryDto): Promise<ProblemCategoryDto> {
    return this.dataSource.transaction(async (manager) => {
      const repo = manager.getRepository(ProblemCategoryEntity);
      const current = await repo.findOne({ where: { code }, lock: { mode: 'pessimistic_write' } });
      if (!current) throw DomainError.notFound(`Problem category ${code}`);
      const before = snapshot(current);
      const changes = {
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.sort !== undefined ? { sort: body.sort } : {}),
        ...(body.retired !== undefined ? { retired: body.retired } : {}),
      };
      if (Object.keys(changes).length > 0) {
        await repo.update({ code }, { ...changes, updatedAt: new Date() });
      }
      const saved = await repo.findOneByOrFail({ code });
      if (Object.keys(changes).length > 0) {
        await this.audit(manager, code, 'UPDATE', user.sub, before, snapshot(saved));
        await this.announce(manager, user, saved, false);
      }
      const [{ n }] = await manager.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM cases WHERE problem_category = $1`, [code]);
      return ProblemCategoryDto.of(saved, n);
    });
  }

  /**
   * Checks a code an operator chose at rectify: a known, active category (a leaf or a top-level one).
   * A sub-category of a retired category counts as retired.
   */
  async assertSelectable(manager: EntityManager, code: string, field = 'problemCategory'): Promise<void> {
    const problem = await this.selectableProblem(manager, code);
    if (problem) throw DomainError.validation([{ field, message: problem }]);
  }

  /** What is wrong with choosing `code` (unknown, retired), or null when it may be chosen. */
  async selectableProblem(manager: EntityManager, code: string): Promise<string | null> {
    const rows = await manager.query<{ retired: boolean }[]>(
      `SELECT c.retired OR COALESCE(p.retired, false) AS retired
         FROM problem_categories c LEFT JOIN problem_categories p ON p.code = c.parent_code WHERE c.code = $1`,
      [code],
    );
    if (rows.length === 0) return 'is not a known problem category';
    return rows[0].retired ? 'is a retired problem category' : null;
  }

  /**
   * Tells statistics (which reports bad reviews by category, by name) what the category now is, and puts the change into
   * the audit log, in the transaction of the change.
   */
  private async announce(manager: EntityManager, user: UserPrincipal, c: ProblemCategoryEntity, created: boolean): Promise<void> {
    await this.outbox.add(manager, [
      {
        topic: Topics.ProblemClasses,
        key: 'problem-categories',
        event: Events.problemCategoryChanged(
          { code: c.code, parentCode: c.parentCode, name: c.name, sort: c.sort, retired: c.retired },
          { subject: c.code },
        ),
      },
      auditOutboxEntry({
        service: 'Rectification',
        actor: user,
        action: 'PROBLEM_CATEGORY_CHANGED',
        summary: rectificationAuditSummaries.problemCategoryChanged(c, created),
        detail: { code: c.code, name: c.name, parentCode: c.parentCode, retired: c.retired, created },
      }),
    ]);
  }

  private async audit(
    manager: EntityManager,
    code: string,
    action: 'CREATE' | 'UPDATE',
    actor: string,
    before: Record<string, unknown> | null,
    after: Record<string, unknown>,
  ) {
    await manager.query(`INSERT INTO problem_category_changes (code, action, actor, before, after) VALUES ($1, $2, $3, $4, $5)`, [
      code,
      action,
      actor,
      before === null ? null : JSON.stringify(before),
      JSON.stringify(after),
    ]);
  }
}
