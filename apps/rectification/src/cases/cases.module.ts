import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CalendarDayEntity } from '../calendar/calendar-day.entity.js';
import { CalendarService } from '../calendar/calendar.service.js';
import { CaseEntity, CaseTimelineEntry } from './case.entity.js';
import { CasesConsumer } from './cases.consumer.js';
import { CasesController } from './cases.controller.js';
import { CasesService } from './cases.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([CaseEntity, CaseTimelineEntry, CalendarDayEntity])],
  controllers: [CasesController, CasesConsumer],
  providers: [CasesService, CalendarService],
})
export class CasesModule {}
