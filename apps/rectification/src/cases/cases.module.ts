import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CalendarModule } from '../calendar/calendar.module.js';
import { HotlineModule } from '../hotline/hotline.module.js';
import { ProblemCategoriesModule } from '../categories/problem-categories.module.js';
import { CaseEntity, CaseTimelineEntry } from './case.entity.js';
import { CaseActionsService } from './case-actions.service.js';
import { CaseWriter } from './case-writer.js';
import { CasesConsumer } from './cases.consumer.js';
import { CasesController } from './cases.controller.js';
import { CasesService } from './cases.service.js';
import { ContactRevealsController } from './contact-reveals.controller.js';
import { PersonalDataRetentionService } from './personal-data-retention.service.js';
import { DeadlineRecomputeService } from './deadline-recompute.service.js';
import { OverdueService } from './overdue.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([CaseEntity, CaseTimelineEntry]), CalendarModule, HotlineModule, ProblemCategoriesModule],
  controllers: [CasesController, CasesConsumer, ContactRevealsController],
  providers: [CasesService, CaseActionsService, CaseWriter, OverdueService, DeadlineRecomputeService, PersonalDataRetentionService],
})
export class CasesModule {}
