import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, CurrentPrincipal, type UserPrincipal } from '#libs/auth';
import { ApiProblems } from '#libs/platform';
import { CalendarYearDto, ConfirmedCalendarYearDto } from './calendar.response.js';
import { PutCalendarYearDto } from './calendar.dto.js';
import { CalendarService } from './calendar.service.js';
import { ParseYearPipe } from '#libs/common';

@ApiTags('calendar')
@Auth('admin')
@ApiProblems(400, 401, 403)
@Controller('calendar')
export class CalendarController {
  constructor(private readonly calendar: CalendarService) {}

  @Get(':year')
  @ApiOperation({
    summary:
      'The statutory holidays and 调休 make-up working days of a year, as used for deadlines. `status`: CONFIRMED (by an admin), PUBLISHED (from the holiday package), PROVISIONAL (`provisional: true`: derived from the statutory rules, no 调休) or MISSING.',
  })
  @ApiOkResponse({ type: CalendarYearDto })
  get(@Param('year', new ParseYearPipe()) year: number) {
    return this.calendar.year(year);
  }

  @Put(':year')
  @ApiOperation({
    summary:
      'Confirm a year with the published arrangement, or correct it (admin): replaces its holidays and make-up days and marks it CONFIRMED. Every open case whose deadlines touched the year is recomputed in the same transaction (timeline entry and `gov.case.deadline-changed` per changed case; `deadlinesChanged` counts them). New deadlines use it at once on this instance, within 60 s on others.',
  })
  @ApiOkResponse({ type: ConfirmedCalendarYearDto })
  put(@CurrentPrincipal() user: UserPrincipal, @Param('year', new ParseYearPipe()) year: number, @Body() body: PutCalendarYearDto) {
    return this.calendar.replaceYear(year, body.days, user);
  }
}
