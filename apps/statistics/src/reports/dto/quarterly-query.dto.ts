import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, Length } from 'class-validator';
import { IsDayInRange, IsIntInRange, IsNotBlank, MAX_YEAR, MIN_YEAR } from '#libs/common';
import { MAX_TOKEN_LENGTH } from '../../bulletin-links/bulletin-link-token.js';

export const REPORT_FORMATS = ['json', 'csv', 'xlsx'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export class UnitScopeQuery {
  @ApiPropertyOptional({ example: 'CN-01', description: 'Supervisors: any unit (all when absent). Unit operators: their own only.' })
  @IsOptional()
  @IsString()
  @Length(1, 32)
  @IsNotBlank()
  unitCode?: string;
}

/** `?year&quarter`: a calendar quarter in Asia/Shanghai. */
export class QuarterQuery {
  @ApiProperty({ example: 2024, minimum: MIN_YEAR, maximum: MAX_YEAR })
  @IsIntInRange(MIN_YEAR, MAX_YEAR)
  year: number;

  @ApiProperty({ example: 4, minimum: 1, maximum: 4 })
  @IsIntInRange(1, 4)
  quarter: 1 | 2 | 3 | 4;
}

/** Which bulletin (or report): the quarter, the unit, frozen or live. */
export class BulletinScopeQuery extends QuarterQuery {
  @ApiPropertyOptional({ example: 'CN-01', description: 'Supervisors: any unit (all when absent). Unit operators: their own only.' })
  @IsOptional()
  @IsString()
  @Length(1, 32)
  @IsNotBlank()
  unitCode?: string;

  @ApiPropertyOptional({
    description:
      'A published quarter answers its frozen figures; live=true gives the live figures instead (an unpublished quarter is always live)',
    default: false,
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  live?: boolean;
}

/** A shareable link's token (POST /reports/quarterly/bulletin-links gives the whole address). */
export class BulletinQuery extends BulletinScopeQuery {
  @ApiPropertyOptional({
    description:
      'A shareable link’s token: opens this bulletin without a bearer token until the link expires. An altered or expired ' +
      'token → 401 BULLETIN_LINK_INVALID / BULLETIN_LINK_EXPIRED; another quarter, unit or live choice → 403 BULLETIN_LINK_MISMATCH',
  })
  @IsOptional()
  @IsString()
  @Length(1, MAX_TOKEN_LENGTH)
  link?: string;
}

export class QuarterlyQuery extends BulletinScopeQuery {
  @ApiPropertyOptional({ enum: REPORT_FORMATS, default: 'json' })
  @IsOptional()
  @IsIn(REPORT_FORMATS)
  format?: ReportFormat;
}

export class SummaryQuery extends UnitScopeQuery {
  @ApiProperty({ example: '2024-01-01', description: 'First Shanghai calendar day, inclusive' })
  @IsDayInRange()
  from: string;

  @ApiProperty({ example: '2024-11-30', description: 'Last Shanghai calendar day, inclusive' })
  @IsDayInRange()
  to: string;

  @ApiPropertyOptional({ enum: REPORT_FORMATS, default: 'json' })
  @IsOptional()
  @IsIn(REPORT_FORMATS)
  format?: ReportFormat;
}
