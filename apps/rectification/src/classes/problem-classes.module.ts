import { Module } from '@nestjs/common';
import { CalendarModule } from '../calendar/calendar.module.js';
import { ProblemCategoriesModule } from '../categories/problem-categories.module.js';
import { ProblemClassesController } from './problem-classes.controller.js';
import { ProblemClassesService } from './problem-classes.service.js';

@Module({
  imports: [CalendarModule, ProblemCategoriesModule],
  controllers: [ProblemClassesController],
  providers: [ProblemClassesService],
})
export class ProblemClassesModule {}
