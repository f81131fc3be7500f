import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';
import {
  IMPROVEMENT_ACTION_STATUSES,
  type ImprovementActionStatus,
  PROBLEM_CLASS_STATUSES,
  type ProblemClassStatus,
} from '#libs/contracts';
import { IsInstantInRange, IsIntInRange, IsNotBlank, MAX_PAGE, MAX_PAGE_SIZE } from '#libs/common';
import { pageOf } from '#libs/platform';
import { CaseResponseDto } from '../../cases/dto/case.response.js';
import { ACTION_STEPS, type ActionStep, MAX_ACTION_WORKING_DAYS } from '../domain/problem-class-rules.js';

const CATEGORY_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;
const WITH_OFFSET = /(Z|[+-]\d{2}:\d{2})$/;
export const MAX_CLASS_CASES = 500;

export class CreateProblemClassDto {
  @ApiProperty({ maxLength: 100, example: '不动产登记窗口周一上午排队时间长' })
  @IsString()
  @Length(1, 100)
  @IsNotBlank()
  title: string;

  @ApiProperty({ example: 'EFFICIENCY_WAITING', description: 'An active 问题分类 of GET /problem-categories; unknown or retired → 400' })
  @IsString()
  @Matches(CATEGORY_CODE, { message: 'must be a problem category code' })
  categoryCode: string;

  @ApiProperty({ maxLength: 2000, description: 'What the cases have in common, for the units the actions go to' })
  @IsString()
  @Length(1, 2000)
  @IsNotBlank()
  description: string;

  @ApiProperty({ type: [String], format: 'uuid', minItems: 1, maxItems: 200, description: 'Cases of any unit; each must exist' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  caseIds: string[];
}

export class AddClassCasesDto {
  @ApiProperty({
    type: [String],
    format: 'uuid',
    minItems: 1,
    maxItems: 200,
    description: 'Cases to add; ones already in the class are left as they are',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  caseIds: string[];
}

export class AssignActionDto {
  @ApiProperty({ example: 'CN-01', description: 'The unit to carry the action out: a unit rectification knows (one with cases)' })
  @IsString()
  @Length(1, 32)
  @IsNotBlank()
  unitCode: string;

  @ApiProperty({ maxLength: 1000, example: '周一上午增开两个不动产登记窗口，推行线上预约分时段办理' })
  @IsString()
  @Length(1, 1000)
  @IsNotBlank()
  action: string;

  @ApiPropertyOptional({
    example: '2026-12-18T23:59:59+08:00',
    description: 'When it is due: an ISO-8601 instant with an offset, in the future. Give this or `workingDays`, not both',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  @Matches(WITH_OFFSET, { message: 'must be an ISO-8601 date-time with an offset' })
  @IsInstantInRange()
  dueAt?: string;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_ACTION_WORKING_DAYS,
    description:
      'Due N working days from now, on the calendar of case deadlines: 23:59:59.999 (Asia/Shanghai) of the N-th working day after today. Give this or `dueAt`',
  })
  @IsOptional()
  @IsInt() // a JSON number: the decimal-string conversion of IsIntInRange is for query parameters
  @Min(1)
  @Max(MAX_ACTION_WORKING_DAYS)
  workingDays?: number;
}

export class ReportActionDto {
  @ApiProperty({ maxLength: 2000, description: 'What the unit did' })
  @IsString()
  @Length(1, 2000)
  @IsNotBlank()
  report: string;

  @ApiProperty({
    type: [String],
    minItems: 1,
    maxItems: 20,
    description: 'The evidence: each item a document, photo or link described in words (1–500 characters)',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Length(1, 500, { each: true })
  @IsNotBlank({ each: true })
  evidence: string[];
}

export class AcceptActionDto {
  @ApiPropertyOptional({ maxLength: 1000 })
  @IsOptional()
  @IsString()
  @Length(0, 1000)
  note?: string;
}

export class ReturnActionDto {
  @ApiProperty({ maxLength: 1000, description: 'Why the report is returned (what is missing)' })
  @IsString()
  @Length(1, 1000)
  @IsNotBlank()
  note: string;
}

export class ListProblemClassesQuery {
  @ApiPropertyOptional({ enum: PROBLEM_CLASS_STATUSES })
  @IsOptional()
  @IsIn(PROBLEM_CLASS_STATUSES)
  status?: ProblemClassStatus;

  @ApiPropertyOptional({ description: 'Classes of this 问题分类 or of one of its sub-categories' })
  @IsOptional()
  @IsString()
  @Matches(CATEGORY_CODE, { message: 'must be a problem category code' })
  categoryCode?: string;

  @ApiPropertyOptional({ type: Number, default: 1, minimum: 1, maximum: MAX_PAGE })
  @IsOptional()
  @IsIntInRange(1, MAX_PAGE)
  page = 1;

  @ApiPropertyOptional({ type: Number, default: 50, maximum: MAX_PAGE_SIZE })
  @IsOptional()
  @IsIntInRange(1, MAX_PAGE_SIZE)
  pageSize = 50;
}

export class ListImprovementActionsQuery {
  @ApiPropertyOptional({ enum: IMPROVEMENT_ACTION_STATUSES })
  @IsOptional()
  @IsIn(IMPROVEMENT_ACTION_STATUSES)
  status?: ImprovementActionStatus;

  @ApiPropertyOptional({ description: 'A unit operator sees only its own unit (another → 403 FORBIDDEN_UNIT)' })
  @IsOptional()
  @IsString()
  @Length(1, 32)
  @IsNotBlank()
  unitCode?: string;

  @ApiPropertyOptional({ type: Number, default: 1, minimum: 1, maximum: MAX_PAGE })
  @IsOptional()
  @IsIntInRange(1, MAX_PAGE)
  page = 1;

  @ApiPropertyOptional({ type: Number, default: 50, maximum: MAX_PAGE_SIZE })
  @IsOptional()
  @IsIntInRange(1, MAX_PAGE_SIZE)
  pageSize = 50;
}

export class ImprovementActionDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) classId: string;
  @ApiProperty() classTitle: string;
  @ApiProperty() classDescription: string;
  @ApiProperty() categoryCode: string;
  @ApiProperty({ example: '排队等候时间长' }) categoryName: string;
  @ApiProperty({ enum: PROBLEM_CLASS_STATUSES }) classStatus: ProblemClassStatus;
  @ApiProperty() unitCode: string;
  @ApiProperty() unitName: string;
  @ApiProperty() action: string;
  @ApiProperty({ format: 'date-time' }) dueAt: string;
  @ApiProperty({ enum: IMPROVEMENT_ACTION_STATUSES }) status: ImprovementActionStatus;
  @ApiProperty({ description: 'Not reported (ASSIGNED or RETURNED) and past dueAt' }) overdue: boolean;
  @ApiProperty() assignedBy: string;
  @ApiProperty({ format: 'date-time' }) assignedAt: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) reportedAt: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'What the unit did' }) report: string | null;
  @ApiProperty({ type: [String] }) evidence: string[];
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) acceptedAt: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Why the last report was returned' }) returnNote: string | null;
  @ApiProperty({ minimum: 0 }) returnedCount: number;
  @ApiProperty({ enum: ACTION_STEPS, isArray: true, description: 'What the caller may do on it now' }) steps: ActionStep[];
}

export const ImprovementActionPageDto = pageOf(ImprovementActionDto, 'ImprovementActionPageDto');

export class ProblemClassSummaryDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() title: string;
  @ApiProperty() categoryCode: string;
  @ApiProperty() categoryName: string;
  @ApiProperty({ enum: PROBLEM_CLASS_STATUSES }) status: ProblemClassStatus;
  @ApiProperty() openedBy: string;
  @ApiProperty({ format: 'date-time' }) openedAt: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) solvedAt: string | null;
  @ApiProperty({ description: 'Cases in the class (a unit operator: of its unit only)' }) caseCount: number;
  @ApiProperty({ type: [String], description: 'Units of the cases (a unit operator: its own only)' }) unitCodes: string[];
  @ApiProperty({ description: 'Improvement actions (a unit operator: of its unit only)' }) actionCount: number;
  @ApiProperty() actionsAccepted: number;
  @ApiProperty({ description: 'Actions not reported and past due' }) actionsOverdue: number;
}

export const ProblemClassPageDto = pageOf(ProblemClassSummaryDto, 'ProblemClassPageDto');

export class ProblemClassTimelineEntryDto {
  @ApiProperty({
    example: 'assign-action',
    description: 'open, add-cases, remove-case, assign-action, report-action, accept-action, return-action, solved',
  })
  action: string;
  @ApiProperty() actor: string;
  @ApiProperty({ type: String, nullable: true }) actorRole: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) actionId: string | null;
  @ApiProperty({ type: String, nullable: true }) unitCode: string | null;
  @ApiProperty({ type: String, nullable: true }) note: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) data: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' }) at: string;
}

export class ProblemClassDetailDto extends ProblemClassSummaryDto {
  @ApiProperty() description: string;
  @ApiProperty({ type: [CaseResponseDto], description: 'The cases (a unit operator: of its unit only)' }) cases: CaseResponseDto[];
  @ApiProperty({ type: [ImprovementActionDto], description: 'The actions (a unit operator: of its unit only)' })
  actions: ImprovementActionDto[];
  @ApiProperty({
    type: [ProblemClassTimelineEntryDto],
    description: 'Every step (a unit operator: the class opening and its own unit’s steps)',
  })
  timeline: ProblemClassTimelineEntryDto[];
  @ApiProperty({ description: 'The caller may add or remove cases and assign actions (a supervisor, while OPEN)' }) editable: boolean;
}
