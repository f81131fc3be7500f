import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class CalendarYearDayDto {
  @ApiProperty({ format: 'date', example: '2026-10-01' }) date: string;
  @ApiProperty({ enum: ['HOLIDAY', 'WORKDAY'], description: 'HOLIDAY: a day off on a weekday; WORKDAY: a 调休 make-up working day' })
  kind: string;
  @ApiProperty({ type: String, nullable: true, example: '国庆节' }) name: string | null;
  @ApiProperty({ example: 'admin', description: 'Where the day came from' }) origin: string;
}

export class PublishedDifferenceDto {
  @ApiProperty() year: number;
  @ApiProperty() source: string;
  @ApiProperty({ type: [String], description: 'Days as `YYYY-MM-DD HOLIDAY|WORKDAY` only the published data has' }) onlyPublished: string[];
  @ApiProperty({ type: [String], description: '… and only the confirmed year has' }) onlyConfirmed: string[];
}

/** A year's holidays and make-up working days, as deadlines use them. */
export class CalendarYearDto {
  @ApiProperty({ example: 2026 }) year: number;
  @ApiProperty({ example: 'Asia/Shanghai' }) timezone: string;
  @ApiProperty() rule: string;
  @ApiProperty({ enum: ['CONFIRMED', 'PUBLISHED', 'PROVISIONAL', 'MISSING'] }) status: string;
  @ApiProperty({ description: 'Deadlines computed from this year are marked deadlineProvisional' }) provisional: boolean;
  @ApiPropertyOptional({ description: 'PROVISIONAL only: the rule the days were derived from' }) provisionalRule?: string;
  @ApiProperty({ type: String, nullable: true }) source: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) confirmedAt: string | null;
  @ApiProperty({ type: String, nullable: true }) confirmedBy: string | null;
  @ApiProperty({ type: PublishedDifferenceDto, nullable: true }) publishedDifference: PublishedDifferenceDto | null;
  @ApiProperty({ type: [CalendarYearDayDto] }) days: CalendarYearDayDto[];
  @ApiProperty({ type: [String], format: 'date' }) holidays: string[];
  @ApiProperty({ type: [String], format: 'date' }) makeUpWorkdays: string[];
}

export class ConfirmedCalendarYearDto extends CalendarYearDto {
  @ApiProperty({ minimum: 0, description: 'Open cases whose deadlines were recomputed' }) deadlinesChanged: number;
}
