import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import type {
  CaseDeadlineChangedData,
  CaseLifecycleData,
  CaseOutcome,
  CaseSource,
  CaseStatus,
  ContactPayload,
  HotlineClientData,
  ReviewSubmittedData,
  ReviewSuspectChangedData,
  UnitRegisteredData,
  UnresolvedReportedData,
} from './events.js';
import { EventTypes } from './topics.js';
import { type Channel, type Grade, GRADES, type RatingLevel } from './rating.js';

/**
 * Validation schemas of the event payloads: consumers check `data` against them
 * before acting, and an event that fails goes to the dead-letter topic.
 * `@IsOptional()` here means "may be null".
 */
class ContactSchema implements ContactPayload {
  @IsOptional() @IsString() maskedName: string | null;
  @IsOptional() @IsString() maskedPhone: string | null;
  @IsOptional() @IsString() sealed: string | null;
}

export class ReviewSubmittedSchema implements ReviewSubmittedData {
  @IsUUID() reviewId: string;
  @IsString() @MinLength(1) unitCode: string;
  @IsString() unitName: string;
  @IsIn(['PAD', 'HOTLINE_12345']) channel: Channel;
  @IsOptional() @IsInt() @Min(1) @Max(5) level: RatingLevel | null;
  @IsIn(GRADES) grade: Grade;
  @IsArray() @IsString({ each: true }) tags: string[];
  @IsOptional() @IsString() serviceItemCode: string | null;
  @IsOptional() @IsString() serviceItemName: string | null;
  @IsOptional() @IsString() serviceRecordId: string | null;
  @IsOptional() @IsString() windowNo: string | null;
  @IsOptional() @IsString() staffId: string | null;
  @IsOptional() @IsString() comment: string | null;
  @IsISO8601() ratedAt: string;
  @IsISO8601() receivedAt: string;
  @IsBoolean() suspect: boolean;
  @IsOptional() @IsString() suspectReason: string | null;
  @IsOptional() @IsString() ticketId: string | null;
  @IsOptional() @IsString() hotlineClientId: string | null;
  @IsOptional() @IsString() category: string | null;
  @IsOptional() @IsISO8601() dueAt: string | null;
  @ValidateNested() @Type(() => ContactSchema) contact: ContactPayload;
  @IsOptional() @IsISO8601() hotlineReceivedAt?: string | null;
  @IsOptional() @IsBoolean() imported?: boolean;
}

export class UnitRegisteredSchema implements UnitRegisteredData {
  @IsString() @MinLength(1) unitCode: string;
  @IsString() @MinLength(1) unitName: string;
  @IsISO8601() registeredAt: string;
}

export class ReviewSuspectChangedSchema implements ReviewSuspectChangedData {
  @IsUUID() reviewId: string;
  @IsString() @MinLength(1) unitCode: string;
  @IsBoolean() suspect: boolean;
  @IsOptional() @IsString() reason: string | null;
}

export class UnresolvedReportedSchema implements UnresolvedReportedData {
  @IsUUID() reportId: string;
  @IsString() @MinLength(1) unitCode: string;
  @IsString() unitName: string;
  @IsString() matter: string;
  @IsString() description: string;
  @IsOptional() @IsString() serviceItemCode: string | null;
  @IsISO8601() reportedAt: string;
  @IsString() reportedBy: string;
  @ValidateNested() @Type(() => ContactSchema) contact: ContactPayload;
}

export class CaseLifecycleSchema implements CaseLifecycleData {
  @IsUUID() caseId: string;
  @IsIn(['BAD_REVIEW', 'HOTLINE', 'UNRESOLVED']) source: CaseSource;
  @IsString() @MinLength(1) unitCode: string;
  @IsOptional() @IsUUID() reviewId: string | null;
  @IsOptional() @IsUUID() reportId: string | null;
  @IsOptional() @IsString() ticketId: string | null;
  @IsIn(['PENDING', 'ACCEPTED', 'RESPONDED', 'RECTIFIED', 'CLOSED', 'APPEALING']) status: CaseStatus;
  @IsOptional() @IsIn(['RECTIFIED', 'EXPLAINED', 'APPEAL_UPHELD']) outcome: CaseOutcome | null;
  @IsISO8601() openedAt: string;
  @IsISO8601() responseDueAt: string;
  @IsISO8601() rectifyDueAt: string;
  @IsOptional() @IsISO8601() respondedAt: string | null;
  @IsOptional() @IsBoolean() respondedOnTime: boolean | null;
  @IsOptional() @IsISO8601() rectifiedAt: string | null;
  @IsOptional() @IsISO8601() closedAt: string | null;
  @IsBoolean() overdue: boolean;
  @IsInt() @Min(0) reopenedCount: number;
  @IsInt() @Min(1) version: number;
  @IsString() actor: string;
  @IsOptional() @IsString() note: string | null;
  @IsOptional() @IsBoolean() deadlineProvisional?: boolean;
}

export class CaseDeadlineChangedSchema extends CaseLifecycleSchema implements CaseDeadlineChangedData {
  @IsISO8601() previousResponseDueAt: string;
  @IsISO8601() previousRectifyDueAt: string;
  @IsBoolean() previousDeadlineProvisional: boolean;
  @IsInt() @Min(2000) @Max(2100) calendarYear: number;
  @IsIn(['CONFIRMED', 'PUBLISHED']) calendarChange: 'CONFIRMED' | 'PUBLISHED';
}

export class HotlineClientSchema implements HotlineClientData {
  @IsUUID() clientId: string;
  @IsString() name: string;
  @IsOptional() @IsString() callbackUrl: string | null;
  @IsString() @MinLength(1) secretSealed: string;
  @IsBoolean() revoked: boolean;
}

const CASE_EVENT_TYPES = [
  EventTypes.CaseOpened,
  EventTypes.CaseAccepted,
  EventTypes.CaseResponded,
  EventTypes.CaseRectified,
  EventTypes.CaseClosed,
  EventTypes.CaseReopened,
  EventTypes.CaseAppealed,
  EventTypes.CaseAppealDecided,
  EventTypes.CaseOverdue,
  EventTypes.CaseUrged,
  EventTypes.CaseExtensionRequested,
  EventTypes.CaseExtensionDecided,
];

/** The schema of each event type's `data`. */
export const EVENT_SCHEMAS: Readonly<Record<string, new () => object>> = {
  [EventTypes.ReviewSubmitted]: ReviewSubmittedSchema,
  [EventTypes.ReviewSuspectChanged]: ReviewSuspectChangedSchema,
  [EventTypes.UnitRegistered]: UnitRegisteredSchema,
  [EventTypes.UnresolvedReported]: UnresolvedReportedSchema,
  [EventTypes.HotlineClientRegistered]: HotlineClientSchema,
  [EventTypes.HotlineClientRevoked]: HotlineClientSchema,
  ...Object.fromEntries(CASE_EVENT_TYPES.map((type) => [type, CaseLifecycleSchema])),
  [EventTypes.CaseDeadlineChanged]: CaseDeadlineChangedSchema,
};
