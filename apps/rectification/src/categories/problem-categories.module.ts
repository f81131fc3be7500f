import { Module } from '@nestjs/common';
import { ProblemCategoriesController } from './problem-categories.controller.js';
import { ProblemCategoriesService } from './problem-categories.service.js';
import { SuggestionsService } from './suggestions.service.js';

@Module({
  controllers: [ProblemCategoriesController],
  providers: [ProblemCategoriesService, SuggestionsService],
  exports: [ProblemCategoriesService, SuggestionsService],
})
export class ProblemCategoriesModule {}
