import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Auth } from '#libs/auth';
import { ApiProblems } from '#libs/platform';
import { CalendarWatch } from './calendar-watch.service.js';

export class CalendarWarningDto {
  @ApiProperty({ example: '2027 年节假日安排尚未发布或确认，期限暂按法定规则推算。' }) message: string;
  @ApiProperty({ example: 2027 }) year: number;
  @ApiProperty({
    enum: ['PROVISIONAL', 'MISSING', 'PUBLISHED_DIFFERS'],
    example: 'PROVISIONAL',
    description:
      'PROVISIONAL: deadlines rest on the statutory days off (no 调休); MISSING: on Mon–Fri only; PUBLISHED_DIFFERS: the holiday package publishes the year otherwise than an admin confirmed it (the confirmed one stays in force)',
  })
  status: 'PROVISIONAL' | 'MISSING' | 'PUBLISHED_DIFFERS';
}

export class CalendarWarningsDto {
  @ApiProperty({ type: [CalendarWarningDto] }) warnings: CalendarWarningDto[];
}

/**
 * The calendar warnings every console page shows on top (工作日历待确认), for any signed-in person:
 * the console reads them here, through intake's proxy, which serves the API only (not /health).
 */
@ApiTags('calendar')
@Controller('calendar/warnings')
export class CalendarWarningsController {
  constructor(private readonly watch: CalendarWatch) {}

  @Get()
  @Auth('admin', 'supervisor', 'unit_operator')
  @ApiOperation({
    summary: 'Warnings about the working-day calendar (next year unconfirmed from 1 November, or a published year that differs)',
  })
  @ApiOkResponse({ type: CalendarWarningsDto })
  @ApiProblems(401, 403)
  async list(): Promise<CalendarWarningsDto> {
    const warnings = await this.watch.check();
    return {
      warnings: warnings.map((w) => {
        const details = (w.details ?? {}) as { year?: number; status?: string; publishedDiffers?: boolean };
        const status = details.publishedDiffers ? 'PUBLISHED_DIFFERS' : details.status === 'PROVISIONAL' ? 'PROVISIONAL' : 'MISSING';
        return { message: w.message, year: Number(details.year ?? 0), status };
      }),
    };
  }
}
