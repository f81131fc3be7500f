import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { chineseDaysVersion, seedYearsFromChineseDays } from '#libs/calendar';
import { CalendarController } from './calendar.controller.js';
import { CalendarWarningsController } from './calendar-warnings.controller.js';
import { CalendarDayEntity, CalendarYearEntity } from './calendar-day.entity.js';
import { PUBLISHED_CALENDAR, type PublishedCalendar, CalendarService } from './calendar.service.js';
import { CalendarWatch } from './calendar-watch.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([CalendarDayEntity, CalendarYearEntity])],
  controllers: [CalendarWarningsController, CalendarController],
  providers: [
    CalendarService,
    CalendarWatch,
    {
      provide: PUBLISHED_CALENDAR,
      useFactory: (): PublishedCalendar => ({ source: `chinese-days ${chineseDaysVersion()}`, years: seedYearsFromChineseDays }),
    },
  ],
  exports: [CalendarService],
})
export class CalendarModule {}
