import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth } from '#libs/auth';
import { PutCalendarYearDto } from './calendar.dto.js';
import { CalendarService } from './calendar.service.js';
import { ParseYearPipe } from '#libs/common';

@ApiTags('calendar')
@Auth('admin')
@Controller('calendar')
export class CalendarController {
  constructor(private readonly calendar: CalendarService) {}

  @Get(':year')
  @ApiOperation({ summary: 'The statutory holidays and 调休 make-up working days of a year, as used for deadlines' })
  get(@Param('year', new ParseYearPipe()) year: number) {
    return this.calendar.year(year);
  }

  @Put(':year')
  @ApiOperation({
    summary:
      "Replace a year's holidays and make-up days (admin). New deadlines use it at once on this instance, within 60 s on others; open cases keep theirs.",
  })
  put(@Param('year', new ParseYearPipe()) year: number, @Body() body: PutCalendarYearDto) {
    return this.calendar.replaceYear(year, body.days);
  }
}
