import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, Length, registerDecorator } from 'class-validator';
import { rangeBound } from '#libs/common';
import { CASE_SOURCES, CASE_STATUSES, type CaseSource, type CaseStatus } from '#libs/contracts';
import { IsInstantInRange, IsIntInRange, IsNotBlank, MAX_PAGE, MAX_PAGE_SIZE } from '#libs/common';

export const CASE_SORTS = ['opened', 'attention'] as const;
export type CaseSort = (typeof CASE_SORTS)[number];

/** A date filter end as the reports read one (rangeBound of #libs/common). */
function IsDayOrInstant() {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isDayOrInstant',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: `${String(propertyName)} must be a date YYYY-MM-DD (Asia/Shanghai) or an ISO-8601 instant with an offset` },
      validator: {
        validate: (value: unknown) => typeof value === 'string' && rangeBound(value, 'from') !== null,
      },
    });
}

export class ListCasesQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 32)
  @IsNotBlank()
  unitCode?: string;

  @ApiPropertyOptional({ description: 'Cases about one service item (a hotspot links here)' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  @IsNotBlank()
  serviceItemCode?: string;

  @ApiPropertyOptional({ description: 'Cases rectified with this 问题分类, or with one of its sub-categories' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  @IsNotBlank()
  problemCategory?: string;

  @ApiPropertyOptional({
    example: '2026-1207',
    description: 'A case number or part of it (2026-1207-0001, 1207-0001, 20261207): the cases whose number contains it',
  })
  @IsOptional()
  @IsString()
  @Length(1, 32)
  @IsNotBlank()
  q?: string;

  @ApiPropertyOptional({ enum: CASE_STATUSES })
  @IsOptional()
  @IsIn(CASE_STATUSES)
  status?: CaseStatus;

  @ApiPropertyOptional({ enum: CASE_SOURCES })
  @IsOptional()
  @IsIn(CASE_SOURCES)
  source?: CaseSource;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  overdue?: boolean;

  @ApiPropertyOptional({
    example: '2026-11-30',
    description: 'Cases opened on or after: an Asia/Shanghai date (from its first instant) or an ISO-8601 instant with an offset',
  })
  @IsOptional()
  @IsDayOrInstant()
  @IsInstantInRange()
  from?: string;

  @ApiPropertyOptional({
    example: '2026-11-30',
    description: 'Cases opened on or before: an Asia/Shanghai date (the whole day, inclusive) or an ISO-8601 instant with an offset',
  })
  @IsOptional()
  @IsDayOrInstant()
  @IsInstantInRange()
  to?: string;

  @ApiPropertyOptional({ enum: ['PENDING'], description: 'PENDING: cases with an extension request awaiting a decision' })
  @IsOptional()
  @IsIn(['PENDING'])
  extension?: 'PENDING';

  @ApiPropertyOptional({
    enum: CASE_SORTS,
    default: 'opened',
    description: 'opened: newest first; attention: open cases first, overdue, then urged, then by the nearest deadline',
  })
  @IsOptional()
  @IsIn(CASE_SORTS)
  sort: CaseSort = 'opened';

  @ApiPropertyOptional({ type: Number, default: 1, minimum: 1, maximum: MAX_PAGE })
  @IsOptional()
  @IsIntInRange(1, MAX_PAGE)
  page = 1;

  @ApiPropertyOptional({ type: Number, default: 20, maximum: 200 })
  @IsOptional()
  @IsIntInRange(1, MAX_PAGE_SIZE)
  pageSize = 20;
}
