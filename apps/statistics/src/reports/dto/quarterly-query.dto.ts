import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';

export const REPORT_FORMATS = ['json', 'csv', 'xlsx'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export class UnitScopeQuery {
  @ApiPropertyOptional({ example: 'CN-01', description: 'Supervisors: any unit (all when absent). Unit operators: their own only.' })
  @IsOptional()
  @IsString()
  @Length(1, 32)
  unitCode?: string;
}

/** `?year&quarter`: a calendar quarter in Asia/Shanghai. */
export class QuarterQuery {
  @ApiProperty({ example: 2024 })
  @Type(() => Number)
  @IsInt()
  @Min(2000)
  @Max(2100)
  year: number;

  @ApiProperty({ example: 4, minimum: 1, maximum: 4 })
  @Type(() => Number)
  @IsInt()
  @IsIn([1, 2, 3, 4])
  quarter: 1 | 2 | 3 | 4;
}

export class BulletinQuery extends QuarterQuery {
  @ApiPropertyOptional({ example: 'CN-01', description: 'Supervisors: any unit (all when absent). Unit operators: their own only.' })
  @IsOptional()
  @IsString()
  @Length(1, 32)
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

export class QuarterlyQuery extends BulletinQuery {
  @ApiPropertyOptional({ enum: REPORT_FORMATS, default: 'json' })
  @IsOptional()
  @IsIn(REPORT_FORMATS)
  format?: ReportFormat;
}

export class SummaryQuery extends UnitScopeQuery {
  @ApiProperty({ example: '2024-01-01', description: 'First Shanghai calendar day, inclusive' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'from must be a date YYYY-MM-DD' })
  from: string;

  @ApiProperty({ example: '2024-11-30', description: 'Last Shanghai calendar day, inclusive' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'to must be a date YYYY-MM-DD' })
  to: string;

  @ApiPropertyOptional({ enum: REPORT_FORMATS, default: 'json' })
  @IsOptional()
  @IsIn(REPORT_FORMATS)
  format?: ReportFormat;
}
