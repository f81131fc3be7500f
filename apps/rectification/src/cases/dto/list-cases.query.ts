import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsISO8601, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import type { CaseSource, CaseStatus } from '#libs/contracts';

export const CASE_STATUSES: CaseStatus[] = ['PENDING', 'ACCEPTED', 'RESPONDED', 'RECTIFIED', 'CLOSED', 'APPEALING'];
export const CASE_SOURCES: CaseSource[] = ['BAD_REVIEW', 'HOTLINE', 'UNRESOLVED'];

export const CASE_SORTS = ['opened', 'attention'] as const;
export type CaseSort = (typeof CASE_SORTS)[number];

export class ListCasesQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 32)
  unitCode?: string;

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

  @ApiPropertyOptional({ description: 'ISO-8601 instant; cases opened at or after' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'ISO-8601 instant; cases opened at or before' })
  @IsOptional()
  @IsISO8601({ strict: true })
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

  @ApiPropertyOptional({ type: Number, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  page = 1;

  @ApiPropertyOptional({ type: Number, default: 20, maximum: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  pageSize = 20;
}
