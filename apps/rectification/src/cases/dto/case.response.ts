import { ApiProperty } from '@nestjs/swagger';
import {
  CASE_OUTCOMES,
  CASE_SOURCES,
  CASE_STATUSES,
  type CaseLifecycleData,
  type CaseOutcome,
  type CaseSource,
  type CaseStatus,
} from '#libs/contracts';
import { pageOf } from '#libs/platform';
import { type CaseEntity, type CaseTimelineEntry, SEALED_TEXT } from '../case.entity.js';
import { CASE_ACTIONS, type CaseAction } from '../domain/case-state-machine.js';

/** What every rendering of a case carries — the response and the lifecycle events: references, state and its instants as ISO strings. */
export class CaseStateDto {
  @ApiProperty({ enum: CASE_SOURCES }) source: CaseSource;
  @ApiProperty({ example: 'CN-01' }) unitCode: string;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) reviewId: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) reportId: string | null;
  @ApiProperty({ type: String, nullable: true }) ticketId: string | null;
  @ApiProperty({ enum: CASE_STATUSES }) status: CaseStatus;
  @ApiProperty({ enum: CASE_OUTCOMES, nullable: true }) outcome: CaseOutcome | null;
  @ApiProperty({ format: 'date-time' }) openedAt: string;
  @ApiProperty({ format: 'date-time' }) responseDueAt: string;
  @ApiProperty({ format: 'date-time' }) rectifyDueAt: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) respondedAt: string | null;
  @ApiProperty({ type: Boolean, nullable: true }) respondedOnTime: boolean | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) rectifiedAt: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) closedAt: string | null;
  @ApiProperty() overdue: boolean;
  @ApiProperty({ minimum: 0 }) reopenedCount: number;
  @ApiProperty({ minimum: 1 }) version: number;
  @ApiProperty({ description: 'A deadline rests on a day of a calendar year not yet published or confirmed' })
  deadlineProvisional: boolean;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'EFFICIENCY_WAITING',
    description: '问题分类 chosen at rectify (GET /problem-categories); null before, and for cases rectified before categories existed',
  })
  problemCategory: string | null;

  static of(c: CaseEntity): CaseStateDto {
    return {
      source: c.source,
      unitCode: c.unitCode,
      reviewId: c.reviewId,
      reportId: c.reportId,
      ticketId: c.ticketId,
      status: c.status,
      outcome: c.outcome,
      openedAt: c.openedAt.toISOString(),
      responseDueAt: c.responseDueAt.toISOString(),
      rectifyDueAt: c.rectifyDueAt.toISOString(),
      respondedAt: c.respondedAt?.toISOString() ?? null,
      respondedOnTime: c.respondedOnTime,
      rectifiedAt: c.rectifiedAt?.toISOString() ?? null,
      closedAt: c.closedAt?.toISOString() ?? null,
      overdue: c.overdue,
      reopenedCount: c.reopenedCount,
      version: c.version,
      deadlineProvisional: c.deadlineProvisional,
      problemCategory: c.problemCategory,
    };
  }
}

/** The data of a gov.case.* lifecycle event: the case's state, who acted and their note. */
export function lifecycleData(c: CaseEntity, actor: string, note: string | null): CaseLifecycleData {
  return { caseId: c.id, ...CaseStateDto.of(c), actor, note };
}

export class CaseExtensionDto {
  @ApiProperty({ enum: ['PENDING', 'APPROVED', 'REJECTED'] }) status: string;
  @ApiProperty() reason: string;
  @ApiProperty({ format: 'date-time' }) until: string;
  @ApiProperty({ format: 'date-time' }) requestedAt: string;
  @ApiProperty() requestedBy: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) decidedAt: string | null;
  @ApiProperty({ type: String, nullable: true }) decidedBy: string | null;
  @ApiProperty({ type: String, nullable: true }) note: string | null;
}

export class MaskedContactDto {
  @ApiProperty({ type: String, nullable: true, example: '张*' }) name: string | null;
  @ApiProperty({ type: String, nullable: true, example: '138****5678' }) phone: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    format: 'date-time',
    description: 'When the retention sweep erased the contact (已按期删除; name and phone are then null); null while kept',
  })
  erasedAt: string | null;
}

export class CasePublicationStateDto {
  @ApiProperty() publishable: boolean;
  @ApiProperty({ type: String, nullable: true }) matter: string | null;
  @ApiProperty({ type: String, nullable: true }) measures: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) changedAt: string | null;
}

/** A case as the console sees it: contact masked, workflow internals left out. */
export class CaseResponseDto extends CaseStateDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({
    example: '2026-1207-0001',
    description: '案件编号: the Asia/Shanghai date the case opened and its sequence that day; searchable with GET /cases?q=',
  })
  caseNumber: string;
  @ApiProperty({ example: '区市场监督管理局' }) unitName: string;
  @ApiProperty({ minimum: 0 }) urgeCount: number;
  @ApiProperty({ type: CaseExtensionDto, nullable: true }) extension: CaseExtensionDto | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'What the case is about: the review, transfer or report it was opened from (masked)',
  })
  matter: Record<string, unknown>;
  @ApiProperty({ type: MaskedContactDto }) contact: MaskedContactDto;
  @ApiProperty({ type: CasePublicationStateDto }) publication: CasePublicationStateDto;

  static fromEntity(c: CaseEntity): CaseResponseDto {
    return {
      id: c.id,
      caseNumber: c.caseNumber,
      unitName: c.unitName,
      ...CaseStateDto.of(c),
      urgeCount: c.urgeCount,
      extension: (c.workflow.extension as CaseExtensionDto | null | undefined) ?? null,
      matter: c.matter,
      contact: { name: c.contactMaskedName, phone: c.contactMaskedPhone, erasedAt: c.contactErasedAt?.toISOString() ?? null },
      publication: {
        publishable: c.publishable,
        matter: c.publishedMatter,
        measures: c.publishedMeasures,
        changedAt: c.publicationChangedAt?.toISOString() ?? null,
      },
    };
  }
}

export const CasePageDto = pageOf(CaseResponseDto, 'CasePageDto');

export class CaseTimelineEntryDto {
  @ApiProperty({ example: 'accept' }) action: string;
  @ApiProperty() actor: string;
  @ApiProperty({ type: String, nullable: true }) actorRole: string | null;
  @ApiProperty({ type: String, nullable: true }) note: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) data: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' }) at: string;

  /** Timeline data as shown: the sealed originals of masked free text stay inside (reveal-contact opens them). */
  static fromEntry(e: CaseTimelineEntry): CaseTimelineEntryDto {
    const { [SEALED_TEXT]: _sealed, ...shown } = e.data;
    return {
      action: e.action,
      actor: e.actor,
      actorRole: e.actorRole,
      note: e.note,
      data: SEALED_TEXT in e.data ? shown : e.data,
      at: e.at.toISOString(),
    };
  }
}

/** One case with its timeline and the actions the caller may take on it now. */
export class CaseDetailResponseDto extends CaseResponseDto {
  @ApiProperty({ type: [CaseTimelineEntryDto] }) timeline: CaseTimelineEntryDto[];
  @ApiProperty({ enum: CASE_ACTIONS, isArray: true }) actions: CaseAction[];
}

export class ContactRevealDto {
  @ApiProperty({ example: '1' }) id: string;
  @ApiProperty({ format: 'uuid' }) caseId: string;
  @ApiProperty() unitCode: string;
  @ApiProperty() actor: string;
  @ApiProperty() actorRole: string;
  @ApiProperty({ type: String, nullable: true }) reason: string | null;
  @ApiProperty({ type: [String] }) fields: string[];
  @ApiProperty({ format: 'date-time' }) at: string;
}

export const ContactRevealPageDto = pageOf(ContactRevealDto, 'ContactRevealPageDto');

export class RevealedNoteDto {
  @ApiProperty({ example: 'respond', description: 'The timeline action whose note held the text' }) action: string;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, description: 'Field → original text' })
  text: Record<string, string>;
}

/** The reviewer's unmasked contact and the originals of masked free text. */
export class RevealedContactDto {
  @ApiProperty({ type: String, nullable: true }) name: string | null;
  @ApiProperty({ type: String, nullable: true }) phone: string | null;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, description: 'Field → original text' })
  freeText: Record<string, string>;
  @ApiProperty({ type: [RevealedNoteDto] }) notes: RevealedNoteDto[];
}
