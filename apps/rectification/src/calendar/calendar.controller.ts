import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
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

  @Post(':year/confirm')
  @HttpCode(200)
  @ApiOperation({
    summary:
      "Confirm a year as it stands (admin), without editing it: a PROVISIONAL year keeps its statutory days off, a PUBLISHED one the holiday package's arrangement; it becomes CONFIRMED, the open cases whose deadlines touched it are recomputed, and the confirmation is in the audit log (CALENDAR_CONFIRMED), as with PUT.",
  })
  @ApiOkResponse({ type: ConfirmedCalendarYearDto })
  confirm(@CurrentPrincipal() user: UserPrincipal, @Param('year', new ParseYearPipe()) year: number) {
    return this.calendar.confirmYear(year, user);
  }
}
