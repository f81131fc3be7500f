import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsISO8601, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { CONTACT_METHODS, type ContactMethod, type RectifyOutcome } from '../domain/case-state-machine.js';
import { IsInstantInRange, IsNotBlank } from '#libs/common';

/** An ISO-8601 instant with an explicit offset (or Z), as everywhere in the contract. */
const WITH_OFFSET = /(Z|[+-]\d{2}:\d{2})$/;
const OFFSET_MESSAGE = 'must be an ISO-8601 date-time with an offset';

export class AcceptCaseDto {
  @ApiPropertyOptional({ maxLength: 1000 })
  @IsOptional()
  @IsString()
  @Length(0, 1000)
  note?: string;
}

export class RespondCaseDto {
  @ApiProperty({
    example: '2024-11-21T10:00:00+08:00',
    description:
      '联系评价人/回访核实 time; on time when ≤ responseDueAt. Not before the case opened nor in the future (300 s tolerance) → 400',
  })
  @IsISO8601({ strict: true })
  @Matches(WITH_OFFSET, { message: OFFSET_MESSAGE })
  @IsInstantInRange()
  contactedAt: string;

  @ApiProperty({
    enum: CONTACT_METHODS,
    description:
      'NO_CONTACT: the case carries no phone number (an anonymous rating), so nobody can be called back; only for such a case ' +
      '(else 409 CONTACT_AVAILABLE). Such a case then closes on `rectify` itself (closedWithoutFeedback), since no reviewer can give feedback',
  })
  @IsIn(CONTACT_METHODS)
  method: ContactMethod;

  @ApiProperty({ maxLength: 2000, description: 'Internal: never leaves the service' })
  @IsString()
  @Length(1, 2000)
  note: string;
}

export class RectifyCaseDto {
  @ApiProperty({ enum: ['RECTIFIED', 'EXPLAINED'], description: '整改 (立行立改 or by deadline) or 情况说明' })
  @IsIn(['RECTIFIED', 'EXPLAINED'])
  outcome: RectifyOutcome;

  @ApiProperty({
    maxLength: 4000,
    description: 'What was done, worded for the citizen: the last rectify’s measures are the reply sent to 12345 for a hotline case',
  })
  @IsString()
  @Length(1, 4000)
  measures: string;

  @ApiProperty({
    example: 'EFFICIENCY_WAITING',
    description:
      '问题分类: an active code of GET /problem-categories, a sub-category or a top-level category (GET /cases/{id}/suggestions proposes some; the operator decides). Unknown or retired → 400',
  })
  @IsString()
  @Matches(/^[A-Z][A-Z0-9_]{0,63}$/, { message: 'must be a problem category code' })
  problemCategory: string;
}

export class FeedbackCaseDto {
  @ApiProperty()
  @IsBoolean()
  reviewerSatisfied: boolean;

  @ApiProperty({ maxLength: 2000 })
  @IsString()
  @Length(1, 2000)
  note: string;
}

export class RequestExtensionDto {
  @ApiProperty({ maxLength: 2000 })
  @IsString()
  @Length(1, 2000)
  reason: string;

  @ApiProperty({ description: 'New rectification deadline; at most 15 working days after opening' })
  @IsISO8601({ strict: true })
  @Matches(WITH_OFFSET, { message: OFFSET_MESSAGE })
  @IsInstantInRange()
  until: string;
}

export class DecideExtensionDto {
  @ApiProperty()
  @IsBoolean()
  approved: boolean;

  @ApiProperty({ maxLength: 2000 })
  @IsString()
  @Length(1, 2000)
  note: string;
}

export class AppealCaseDto {
  @ApiProperty({ maxLength: 2000 })
  @IsString()
  @Length(1, 2000)
  reason: string;

  @ApiPropertyOptional({ type: [String], description: 'References to evidence (file ids, URLs), up to 20' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Length(1, 500, { each: true })
  evidence?: string[];
}

export class DecideAppealDto {
  @ApiProperty()
  @IsBoolean()
  upheld: boolean;

  @ApiProperty({ maxLength: 2000, description: 'The supervisor’s internal reasoning: never leaves the service' })
  @IsString()
  @Length(1, 2000)
  note: string;

  @ApiPropertyOptional({
    maxLength: 4000,
    description: 'Citizen-facing reply sent to 12345: required when an appeal of a hotline case is upheld (400 otherwise)',
  })
  @IsOptional()
  @IsString()
  @Length(1, 4000)
  replyToCitizen?: string;
}

export class UrgeCaseDto {
  @ApiProperty({ maxLength: 2000 })
  @IsString()
  @Length(1, 2000)
  note: string;
}

export class RevealContactDto {
  @ApiProperty({
    minLength: 2,
    maxLength: 200,
    example: '回访评价人核实情况',
    description: 'Why the contact is needed (required; not blank); recorded in the timeline and the audit log',
  })
  @IsString()
  @Length(2, 200)
  @IsNotBlank()
  reason: string;
}

export class ContactRevealsQuery {
  @ApiPropertyOptional({ type: Number, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  page = 1;

  @ApiPropertyOptional({ type: Number, default: 50, maximum: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  pageSize = 50;
}
