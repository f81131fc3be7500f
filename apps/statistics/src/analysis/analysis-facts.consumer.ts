import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { Topics } from '#libs/contracts';
import { BatchEventPattern, InboxService } from '#libs/messaging';
import { ANALYSIS_EVENT_TYPES, AnalysisFactsService } from './analysis-facts.service.js';

const CONSUMER = 'statistics.analysis';

/** 类问题 and 问题分类 changes (topic problem-classes.lifecycle), a batch per inbox transaction. */
@Controller()
export class AnalysisFactsConsumer {
  constructor(
    private readonly inbox: InboxService,
    private readonly facts: AnalysisFactsService,
  ) {}

  @BatchEventPattern(Topics.ProblemClasses)
  async onClassEvents(@Payload() messages: unknown[]): Promise<void> {
    await this.inbox.consumeBatch(CONSUMER, Topics.ProblemClasses, messages, {
      types: ANALYSIS_EVENT_TYPES,
      apply: (manager, events) => this.facts.applyEvents(manager, events),
    });
  }
}
