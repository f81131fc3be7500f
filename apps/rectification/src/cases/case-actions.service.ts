import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { maxExtensionUntil } from '#libs/calendar';
import { type Contact, DataCipher, DomainError, ErrorCode } from '#libs/common';
import type { UserPrincipal } from '#libs/auth';
import { CalendarService } from '../calendar/calendar.service.js';
import { HotlineDispatcher } from '../hotline/hotline-dispatcher.service.js';
import { CaseEntity, CaseTimelineEntry } from './case.entity.js';
import { CaseWriter } from './case-writer.js';
import { caseView } from './cases.service.js';
import { type CaseAction, type CaseActionInputs, type CaseActor, transition } from './domain/case-state-machine.js';
import type {
  AcceptCaseDto,
  AppealCaseDto,
  DecideAppealDto,
  DecideExtensionDto,
  FeedbackCaseDto,
  RectifyCaseDto,
  RequestExtensionDto,
  RespondCaseDto,
  UrgeCaseDto,
} from './dto/case-actions.dto.js';

export interface CaseActionBodies {
  accept: AcceptCaseDto;
  respond: RespondCaseDto;
  rectify: RectifyCaseDto;
  feedback: FeedbackCaseDto;
  'request-extension': RequestExtensionDto;
  'decide-extension': DecideExtensionDto;
  appeal: AppealCaseDto;
  'decide-appeal': DecideAppealDto;
  urge: UrgeCaseDto;
}

/**
 * Runs one action on one case. The case row is locked (SELECT … FOR UPDATE) for the transaction, so
 * concurrent actions on a case serialize: the first wins and the second sees the new state (409
 * INVALID_TRANSITION when it no longer applies). The update is also guarded by the version column.
 */
@Injectable()
export class CaseActionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly calendar: CalendarService,
    private readonly writer: CaseWriter,
    private readonly dispatcher: HotlineDispatcher,
    private readonly cipher: DataCipher,
  ) {}

  async act<A extends CaseAction>(id: string, action: A, body: CaseActionBodies[A], user: UserPrincipal) {
    const calendar = await this.calendar.calendar();
    const actor: CaseActor = { sub: user.sub, role: user.role, unitCode: user.unitCode };
    const saved = await this.dataSource.transaction(async (manager) => {
      const current = await manager.findOne(CaseEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!current) throw DomainError.notFound(`Case ${id}`);
      const input = this.inputOf(action, body, current, calendar);
      const result = transition(current, action, input, actor, new Date());
      return this.writer.apply(manager, current, result);
    });
    if (saved.status === 'CLOSED' && saved.source === 'HOTLINE') this.dispatcher.kick();
    return caseView(saved);
  }

  /** Returns the reviewer's contact to the operator of the case's unit, and records that in the timeline. */
  async revealContact(id: string, user: UserPrincipal, reason: string | null = null): Promise<Contact> {
    if (user.role !== 'unit_operator')
      throw new DomainError(ErrorCode.Forbidden, 'Only the operator of the case unit may reveal the contact.');
    return this.dataSource.transaction(async (manager) => {
      const found = await manager.findOneBy(CaseEntity, { id });
      if (!found) throw DomainError.notFound(`Case ${id}`);
      if (found.unitCode !== user.unitCode) throw new DomainError(ErrorCode.ForbiddenUnit, 'The case belongs to another unit.');
      const contact: Contact = found.contactSealed ? this.cipher.openJson<Contact>(found.contactSealed) : { name: null, phone: null };
      await manager.insert(CaseTimelineEntry, {
        caseId: found.id,
        action: 'reveal-contact',
        actor: user.sub,
        actorRole: user.role,
        note: reason,
        data: {
          fields: Object.entries(contact)
            .filter(([, v]) => v !== null)
            .map(([k]) => k),
        },
        at: new Date(),
      });
      return { name: contact.name ?? null, phone: contact.phone ?? null };
    });
  }

  private inputOf<A extends CaseAction>(
    action: A,
    body: CaseActionBodies[A],
    current: CaseEntity,
    calendar: Awaited<ReturnType<CalendarService['calendar']>>,
  ): CaseActionInputs[A] {
    const maxUntil = () => maxExtensionUntil(calendar, current.openedAt);
    switch (action) {
      case 'respond': {
        const b = body as RespondCaseDto;
        return { contactedAt: new Date(b.contactedAt), method: b.method, note: b.note } as CaseActionInputs[A];
      }
      case 'request-extension': {
        const b = body as RequestExtensionDto;
        return { reason: b.reason, until: new Date(b.until), maxUntil: maxUntil() } as CaseActionInputs[A];
      }
      case 'decide-extension': {
        const b = body as DecideExtensionDto;
        return { approved: b.approved, note: b.note, maxUntil: maxUntil() } as CaseActionInputs[A];
      }
      case 'appeal': {
        const b = body as AppealCaseDto;
        return { reason: b.reason, evidence: b.evidence ?? [] } as unknown as CaseActionInputs[A];
      }
      default:
        return { ...body } as unknown as CaseActionInputs[A];
    }
  }
}
