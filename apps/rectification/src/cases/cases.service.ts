import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, In, type QueryDeepPartialEntity, type Repository } from 'typeorm';
import { assertUnitAccess, scopedUnit, type UserPrincipal } from '#libs/auth';
import { computeDeadlines } from '#libs/calendar';
import { DomainError, rangeBound } from '#libs/common';
import {
  type CaseSource,
  type CloudEvent,
  type ContactPayload,
  type EventOf,
  Events,
  EventTypes,
  opensCase,
  type ReviewSubmittedData,
  Topics,
  type UnresolvedReportedData,
} from '#libs/contracts';
import { OutboxService, PoisonEventError } from '#libs/messaging';
import { CalendarService } from '../calendar/calendar.service.js';
import { CaseEntity, CaseTimelineEntry } from './case.entity.js';
import { availableActions } from './domain/case-state-machine.js';
import {
  type CaseDetailResponseDto,
  type CasePageDto,
  CaseResponseDto,
  CaseTimelineEntryDto,
  type ContactRevealPageDto,
  lifecycleData,
} from './dto/case.response.js';
import type { ListCasesQuery } from './dto/list-cases.query.js';

export const SYSTEM_ACTOR = 'system';

interface OpenCase {
  source: CaseSource;
  unitCode: string;
  unitName: string;
  reviewId: string | null;
  reportId: string | null;
  ticketId: string | null;
  hotlineClientId: string | null;
  openedAt: Date;
  hotlineDueAt: Date | null;
  matter: Record<string, unknown>;
  contact: ContactPayload;
}

/** The case a BAD review or a 12345 transfer of any category opens; none for other reviews. */
function fromReview(event: CloudEvent<ReviewSubmittedData>): OpenCase[] {
  const review = event.data;
  if (!opensCase(review)) return [];
  return [
    {
      source: review.channel === 'HOTLINE_12345' ? 'HOTLINE' : 'BAD_REVIEW',
      unitCode: review.unitCode,
      unitName: review.unitName,
      reviewId: review.reviewId,
      reportId: null,
      ticketId: review.ticketId,
      hotlineClientId: review.hotlineClientId,
      openedAt: new Date(review.receivedAt),
      hotlineDueAt: review.dueAt ? new Date(review.dueAt) : null,
      matter: {
        channel: review.channel,
        level: review.level,
        tags: review.tags,
        comment: review.comment,
        serviceItemCode: review.serviceItemCode,
        serviceItemName: review.serviceItemName,
        windowNo: review.windowNo,
        staffId: review.staffId,
        ratedAt: review.ratedAt,
        category: review.category,
        ...(review.dueAt ? { hotlineDueAt: review.dueAt } : {}),
      },
      contact: review.contact,
    },
  ];
}

/** The case of a 办不成事 report; the clock starts at `reportedAt`. */
function fromUnresolved(event: CloudEvent<UnresolvedReportedData>): OpenCase {
  const report = event.data;
  return {
    source: 'UNRESOLVED',
    unitCode: report.unitCode,
    unitName: report.unitName,
    reviewId: null,
    reportId: report.reportId,
    ticketId: null,
    hotlineClientId: null,
    openedAt: new Date(report.reportedAt),
    hotlineDueAt: null,
    matter: {
      matter: report.matter,
      description: report.description,
      serviceItemCode: report.serviceItemCode,
      reportedBy: report.reportedBy,
    },
    contact: report.contact,
  };
}

@Injectable()
export class CasesService {
  constructor(
    @InjectRepository(CaseEntity) private readonly cases: Repository<CaseEntity>,
    @InjectRepository(CaseTimelineEntry) private readonly timeline: Repository<CaseTimelineEntry>,
    private readonly calendar: CalendarService,
    private readonly outbox: OutboxService,
  ) {}

  /**
   * Opens the cases of a batch of events (idempotent per review and per report): one insert for
   * the batch's new cases, one for their timeline entries, one for their `gov.case.opened` events.
   * Events that open no case (good reviews) are passed over.
   */
  async openMany(
    manager: EntityManager,
    events: Array<EventOf<typeof EventTypes.ReviewSubmitted | typeof EventTypes.UnresolvedReported>>,
  ): Promise<void> {
    const inits = events.flatMap((event) => (event.type === EventTypes.UnresolvedReported ? [fromUnresolved(event)] : fromReview(event)));
    await this.open(manager, inits);
  }

  private async open(manager: EntityManager, inits: OpenCase[]): Promise<void> {
    if (inits.length === 0) return;
    const calendar = await this.calendar.calendar();
    const entities = inits.map((init) => {
      if (Number.isNaN(init.openedAt.getTime())) throw new PoisonEventError('the event carries no valid start time');
      const deadlines = computeDeadlines(calendar, init.openedAt, init.hotlineDueAt);
      return manager.create(CaseEntity, {
        id: randomUUID(),
        source: init.source,
        unitCode: init.unitCode,
        unitName: init.unitName,
        reviewId: init.reviewId,
        reportId: init.reportId,
        ticketId: init.ticketId,
        hotlineClientId: init.hotlineClientId,
        status: 'PENDING',
        outcome: null,
        openedAt: init.openedAt,
        responseDueAt: deadlines.responseDueAt,
        rectifyDueAt: deadlines.rectifyDueAt,
        deadlineProvisional: deadlines.provisional,
        matter: init.matter,
        contactSealed: init.contact.sealed,
        contactMaskedName: init.contact.maskedName,
        contactMaskedPhone: init.contact.maskedPhone,
        workflow: {},
      });
    });
    const inserted = (await manager
      .createQueryBuilder()
      .insert()
      .into(CaseEntity)
      .values(entities as Array<QueryDeepPartialEntity<CaseEntity>>)
      .orIgnore()
      .returning(['id'])
      .execute()) as { raw: Array<{ id: string }> };
    if (inserted.raw.length === 0) return;
    const byId = new Map((await manager.findBy(CaseEntity, { id: In(inserted.raw.map((r) => r.id)) })).map((c) => [c.id, c]));
    const opened = entities.flatMap((e) => byId.get(e.id) ?? []);
    const at = new Date();
    await manager.insert(
      CaseTimelineEntry,
      opened.map(
        (c) =>
          ({
            caseId: c.id,
            action: 'open',
            actor: SYSTEM_ACTOR,
            actorRole: null,
            note: null,
            data: {
              source: c.source,
              reviewId: c.reviewId,
              reportId: c.reportId,
              ticketId: c.ticketId,
              responseDueAt: c.responseDueAt.toISOString(),
              rectifyDueAt: c.rectifyDueAt.toISOString(),
              deadlineProvisional: c.deadlineProvisional,
            } as Record<string, unknown>,
            at,
          }) as QueryDeepPartialEntity<CaseTimelineEntry>,
      ),
    );
    await this.outbox.add(
      manager,
      opened.map((c) => ({
        topic: Topics.CasesLifecycle,
        key: c.unitCode,
        event: Events.caseChanged(EventTypes.CaseOpened, lifecycleData(c, SYSTEM_ACTOR, null), { subject: c.id }),
      })),
    );
  }

  /** A page of cases; a unit operator sees only its unit's. */
  async list(user: UserPrincipal, query: ListCasesQuery): Promise<InstanceType<typeof CasePageDto>> {
    const unitCode = scopedUnit(user, query.unitCode);
    const qb = this.cases.createQueryBuilder('c');
    if (unitCode) qb.andWhere('c.unit_code = :unitCode', { unitCode });
    if (query.q) {
      // Digits as typed, with or without the dashes: 20261207 finds 2026-1207-0001 too.
      const digits = query.q.replace(/[^0-9]/g, '');
      qb.andWhere(digits ? `replace(c.case_number, '-', '') LIKE :pattern` : 'false', { pattern: `%${digits}%` });
    }
    if (query.status) qb.andWhere('c.status = :status', { status: query.status });
    if (query.source) qb.andWhere('c.source = :source', { source: query.source });
    if (query.serviceItemCode) qb.andWhere(`c.matter ->> 'serviceItemCode' = :serviceItemCode`, { serviceItemCode: query.serviceItemCode });
    if (query.problemCategory) {
      qb.andWhere(
        `(c.problem_category = :problemCategory OR c.problem_category IN (SELECT code FROM problem_categories WHERE parent_code = :problemCategory))`,
        { problemCategory: query.problemCategory },
      );
    }
    if (query.overdue !== undefined) qb.andWhere('c.overdue = :overdue', { overdue: query.overdue });
    const from = query.from ? rangeBound(query.from, 'from') : null;
    const to = query.to ? rangeBound(query.to, 'to') : null;
    if (from && to && (to.exclusive ? from.at >= to.at : from.at > to.at))
      throw DomainError.validation([{ field: 'to', message: 'to must not be before from' }]);
    if (from) qb.andWhere('c.opened_at >= :from', { from: from.at });
    if (to) qb.andWhere(to.exclusive ? 'c.opened_at < :to' : 'c.opened_at <= :to', { to: to.at });
    if (query.extension) qb.andWhere(`c.workflow -> 'extension' ->> 'status' = :extension`, { extension: query.extension });
    if (query.sort === 'attention') {
      qb.orderBy(`CASE WHEN c.status = 'CLOSED' THEN 1 ELSE 0 END`, 'ASC')
        .addOrderBy('c.overdue', 'DESC')
        .addOrderBy('CASE WHEN c.urge_count > 0 THEN 0 ELSE 1 END', 'ASC')
        .addOrderBy(`CASE WHEN c.status IN ('PENDING', 'ACCEPTED') THEN c.response_due_at ELSE c.rectify_due_at END`, 'ASC');
    } else {
      qb.orderBy('c.opened_at', 'DESC');
    }
    const [rows, total] = await qb
      .addOrderBy('c.id', 'ASC')
      .skip((query.page - 1) * query.pageSize)
      .take(query.pageSize)
      .getManyAndCount();
    return { items: rows.map((c) => CaseResponseDto.fromEntity(c)), page: query.page, pageSize: query.pageSize, total };
  }

  /** One case with its timeline and the actions `user` may take on it now; 403 FORBIDDEN_UNIT for another unit's case. */
  async get(user: UserPrincipal, id: string): Promise<CaseDetailResponseDto> {
    const found = await this.cases.findOneBy({ id });
    if (!found) throw DomainError.notFound(`Case ${id}`);
    assertUnitAccess(user, found.unitCode);
    const entries = await this.timeline.find({ where: { caseId: id }, order: { id: 'ASC' } });
    return {
      ...CaseResponseDto.fromEntity(found),
      timeline: entries.map((e) => CaseTimelineEntryDto.fromEntry(e)),
      actions: availableActions(found, { sub: user.sub, role: user.role, unitCode: user.unitCode }),
    };
  }

  /** Reveals of reviewers' contacts, newest first, with the case's unit. */
  async contactReveals(page: number, pageSize: number): Promise<InstanceType<typeof ContactRevealPageDto>> {
    const qb = this.timeline
      .createQueryBuilder('t')
      .innerJoin(CaseEntity, 'c', 'c.id = t.case_id')
      .where(`t.action = 'reveal-contact'`)
      .select(['t.id AS id', 't.case_id AS "caseId"', 'c.unit_code AS "unitCode"', 't.actor AS actor', 't.actor_role AS "actorRole"'])
      .addSelect(['t.note AS reason', `t.data -> 'fields' AS fields`, 't.at AS at']);
    const total = await qb.clone().getCount();
    const rows = await qb
      .orderBy('t.at', 'DESC')
      .addOrderBy('t.id', 'DESC')
      .offset((page - 1) * pageSize)
      .limit(pageSize)
      .getRawMany<{
        id: string;
        caseId: string;
        unitCode: string;
        actor: string;
        actorRole: string;
        reason: string | null;
        fields: string[];
        at: Date;
      }>();
    return { items: rows.map((r) => ({ ...r, id: String(r.id), at: r.at.toISOString() })), page, pageSize, total };
  }
}
