import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { maxExtensionUntil } from '#libs/calendar';
import { type Contact, DataCipher, DomainError, ErrorCode, maskFreeTextFields } from '#libs/common';
import type { UserPrincipal } from '#libs/auth';
import { auditOutboxEntry, OutboxService } from '#libs/messaging';
import { rectificationAuditSummaries } from '../audit-summaries.js';
import { CalendarService } from '../calendar/calendar.service.js';
import { ProblemCategoriesService } from '../categories/problem-categories.service.js';
import { HotlineDispatcher } from '../hotline/hotline-dispatcher.service.js';
import { CaseEntity, CaseTimelineEntry, SEALED_TEXT } from './case.entity.js';
import { CaseWriter } from './case-writer.js';
import { CaseResponseDto, type RevealedContactDto } from './dto/case.response.js';
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

/** The free-text fields of an action body (case notes, reasons, measures). */
function freeTextOf(body: object): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of ['note', 'reason', 'measures'] as const) {
    const value = (body as Record<string, unknown>)[key];
    if (typeof value === 'string') out[key] = value;
  }
  return out;
}

function definedOnly(values: Record<string, string | null>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) if (v !== null) out[k] = v;
  return out;
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
    private readonly categories: ProblemCategoriesService,
    private readonly outbox: OutboxService,
  ) {}

  async act<A extends CaseAction>(id: string, action: A, body: CaseActionBodies[A], user: UserPrincipal) {
    const calendar = await this.calendar.calendar();
    const actor: CaseActor = { sub: user.sub, role: user.role, unitCode: user.unitCode };
    const saved = await this.dataSource.transaction(async (manager) => {
      const current = await manager.findOne(CaseEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!current) throw DomainError.notFound(`Case ${id}`);
      if (action === 'rectify') await this.categories.assertSelectable(manager, (body as RectifyCaseDto).problemCategory);
      // Phone and ID-card numbers in what the author wrote are masked in the case, its timeline and its events;
      // the originals are sealed into the timeline entry (reveal-contact opens them).
      const text = maskFreeTextFields(freeTextOf(body));
      const masked = { ...body, ...definedOnly(text.masked) } as CaseActionBodies[A];
      const input = this.inputOf(action, masked, current, calendar);
      const result = transition(current, action, input, actor, new Date());
      return this.writer.apply(manager, current, result, text.originals ? this.cipher.sealJson(text.originals) : null);
    });
    if (saved.status === 'CLOSED' && saved.source === 'HOTLINE') this.dispatcher.kick();
    return CaseResponseDto.fromEntity(saved);
  }

  /**
   * Returns the reviewer's contact to the operator of the case's unit — with the unmasked originals of free text
   * (the review's comment, the case notes) that held phone or ID-card numbers — and records that in the timeline.
   */
  async revealContact(id: string, user: UserPrincipal, reason: string): Promise<RevealedContactDto> {
    if (user.role !== 'unit_operator')
      throw new DomainError(ErrorCode.Forbidden, 'Only the operator of the case unit may reveal the contact.');
    return this.dataSource.transaction(async (manager) => {
      const found = await manager.findOneBy(CaseEntity, { id });
      if (!found) throw DomainError.notFound(`Case ${id}`);
      if (found.unitCode !== user.unitCode) throw new DomainError(ErrorCode.ForbiddenUnit, 'The case belongs to another unit.');
      if (found.contactErasedAt) {
        throw new DomainError(
          ErrorCode.PersonalDataErased,
          `The contact of this case was erased on ${found.contactErasedAt.toISOString()}, when its retention period ended (已按期删除).`,
          [],
          {},
          { erasedAt: found.contactErasedAt.toISOString() },
        );
      }
      const contact: Contact = found.contactSealed ? this.cipher.openJson<Contact>(found.contactSealed) : { name: null, phone: null };
      const entries = await manager
        .createQueryBuilder(CaseTimelineEntry, 't')
        .where('t.case_id = :id', { id: found.id })
        .andWhere(`t.data ? :key`, { key: SEALED_TEXT })
        .orderBy('t.id', 'ASC')
        .getMany();
      const notes = entries.map((e) => ({
        action: e.action,
        at: e.at.toISOString(),
        text: this.cipher.openJson<Record<string, string>>(String(e.data[SEALED_TEXT])),
      }));
      const fields = [
        ...(['name', 'phone'] as const).filter((k) => contact[k]),
        ...Object.keys(contact.freeText ?? {}).map((k) => `freeText.${k}`),
        ...(notes.length ? ['notes'] : []),
      ];
      const at = new Date();
      await manager.insert(CaseTimelineEntry, {
        caseId: found.id,
        action: 'reveal-contact',
        actor: user.sub,
        actorRole: user.role,
        note: reason,
        data: { fields },
        at,
      });
      await this.outbox.add(
        manager,
        auditOutboxEntry({
          service: 'Rectification',
          actor: user,
          action: 'CONTACT_REVEALED',
          summary: rectificationAuditSummaries.contactRevealed(found, fields, reason),
          detail: { caseId: found.id, unitCode: found.unitCode, reason, fields },
          key: found.unitCode,
          at,
        }),
      );
      return { name: contact.name ?? null, phone: contact.phone ?? null, freeText: contact.freeText ?? {}, notes };
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
        const response = body as RespondCaseDto;
        // A reviewer can be called back only with a phone number (a name alone reaches nobody).
        const caseHasContact = current.contactMaskedPhone !== null;
        return {
          contactedAt: new Date(response.contactedAt),
          method: response.method,
          note: response.note,
          caseHasContact,
        } as CaseActionInputs[A];
      }
      case 'request-extension': {
        const request = body as RequestExtensionDto;
        return { reason: request.reason, until: new Date(request.until), maxUntil: maxUntil() } as CaseActionInputs[A];
      }
      case 'decide-extension': {
        const decision = body as DecideExtensionDto;
        return { approved: decision.approved, note: decision.note, maxUntil: maxUntil() } as CaseActionInputs[A];
      }
      case 'decide-appeal': {
        const decision = body as DecideAppealDto;
        return {
          upheld: decision.upheld,
          note: decision.note,
          replyToCitizen: decision.replyToCitizen ?? null,
          hotline: current.source === 'HOTLINE',
        } as CaseActionInputs[A];
      }
      case 'appeal': {
        const appeal = body as AppealCaseDto;
        return { reason: appeal.reason, evidence: appeal.evidence ?? [] } as unknown as CaseActionInputs[A];
      }
      default:
        return { ...body } as unknown as CaseActionInputs[A];
    }
  }
}
