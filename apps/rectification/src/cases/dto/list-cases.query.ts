import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsISO8601, IsOptional, IsString, Length } from 'class-validator';
import type { CaseSource, CaseStatus } from '#libs/contracts';
import { IsInstantInRange, IsIntInRange, IsNotBlank, MAX_PAGE, MAX_PAGE_SIZE } from '#libs/common';

export const CASE_STATUSES: CaseStatus[] = ['PENDING', 'ACCEPTED', 'RESPONDED', 'RECTIFIED', 'CLOSED', 'APPEALING'];
export const CASE_SOURCES: CaseSource[] = ['BAD_REVIEW', 'HOTLINE', 'UNRESOLVED'];

export class ListCasesQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 32)
  @IsNotBlank()
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
  @IsInstantInRange()
  from?: string;

  @ApiPropertyOptional({ description: 'ISO-8601 instant; cases opened at or before' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @IsInstantInRange()
  to?: string;

  @ApiPropertyOptional({ default: 1, minimum: 1, maximum: MAX_PAGE })
  @IsOptional()
  @IsIntInRange(1, MAX_PAGE)
  page = 1;

  @ApiPropertyOptional({ default: 20, maximum: 200 })
  @IsOptional()
  @IsIntInRange(1, MAX_PAGE_SIZE)
  pageSize = 20;
}
