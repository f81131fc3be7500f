import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { endOfShanghaiDay, recomputeDeadlines, type WorkingCalendar } from '#libs/calendar';
import { startOfShanghaiDay } from '#libs/common';
import { CalendarService } from '../calendar/calendar.service.js';
import { CaseEntity } from './case.entity.js';
import { CaseWriter } from './case-writer.js';
import { readWorkflow, reviseDeadlines } from './domain/case-state-machine.js';

/**
 * When a calendar year changes (confirmed or corrected by an admin, or published by the holiday
 * package), computes again the deadlines of every open case that touched the year — opened before
 * its end, due after its start — inside the calendar change's transaction, with each case row locked.
 * Each moved deadline gets a timeline entry and a `gov.case.deadline-changed` event (CaseWriter).
 */
@Injectable()
export class DeadlineRecomputeService implements OnModuleInit {
  constructor(
    private readonly calendar: CalendarService,
    private readonly writer: CaseWriter,
  ) {}

  onModuleInit(): void {
    this.calendar.onYearChanged((manager, change) => this.recompute(manager, change));
  }

  async recompute(
    manager: EntityManager,
    change: { year: number; calendar: WorkingCalendar; kind: 'CONFIRMED' | 'PUBLISHED'; now: Date },
  ): Promise<number> {
    const cases = await manager
      .createQueryBuilder(CaseEntity, 'c')
      .setLock('pessimistic_write')
      .where(`c.status <> 'CLOSED'`)
      .andWhere('c.opened_at <= :to', { to: endOfShanghaiDay(`${change.year}-12-31`) })
      .andWhere('greatest(c.response_due_at, c.rectify_due_at) >= :from', { from: startOfShanghaiDay(`${change.year}-01-01`) })
      .orderBy('c.id', 'ASC')
      .getMany();
    let changed = 0;
    for (const current of cases) {
      const extension = readWorkflow(current.workflow).extension;
      const hotlineDueAt = typeof current.matter.hotlineDueAt === 'string' ? new Date(current.matter.hotlineDueAt) : null;
      const deadlines = recomputeDeadlines(change.calendar, {
        openedAt: current.openedAt,
        hotlineDueAt,
        extendedUntil: extension?.status === 'APPROVED' ? new Date(extension.until) : null,
      });
      const revised = reviseDeadlines(current, { ...deadlines, calendarYear: change.year, calendarChange: change.kind }, change.now);
      if (!revised) continue;
      await this.writer.apply(manager, current, revised);
      changed += 1;
    }
    return changed;
  }
}
