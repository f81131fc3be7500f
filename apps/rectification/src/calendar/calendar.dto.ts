import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsObject, IsOptional, IsString, Length, Matches, ValidateNested } from 'class-validator';
import { IsDayInRange } from '#libs/common';

export class CalendarDayDto {
  @ApiProperty({ example: '2025-10-01' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a YYYY-MM-DD date' })
  @IsDayInRange()
  date: string;

  @ApiProperty({ enum: ['HOLIDAY', 'WORKDAY'], description: 'HOLIDAY: statutory day off; WORKDAY: 调休 make-up working day' })
  @IsIn(['HOLIDAY', 'WORKDAY'])
  kind: 'HOLIDAY' | 'WORKDAY';

  @ApiPropertyOptional({ example: '国庆节' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  name?: string;
}

/** The full set of exceptions to the Mon–Fri rule for one year; replaces what is stored. */
export class PutCalendarYearDto {
  @ApiProperty({ type: [CalendarDayDto] })
  @IsArray()
  @ArrayMaxSize(366)
  @IsObject({ each: true }) // ValidateNested lets an array through where a day belongs
  @ValidateNested({ each: true })
  @Type(() => CalendarDayDto)
  days: CalendarDayDto[];
}
