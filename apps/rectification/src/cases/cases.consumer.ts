import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { EventTypes, isReplayed, opensCase, Topics } from '#libs/contracts';
import { BatchEventPattern, InboxService } from '#libs/messaging';
import { CasesService } from './cases.service.js';

const CONSUMER = 'rectification.cases';

/**
 * Opens cases from bad reviews, hotline complaints (reviews on channel HOTLINE_12345) and 办不成事
 * reports, a batch at a time. Only those events cost a transaction: good ratings are passed over
 * without touching the database. A replayed review or report (intake's POST /admin/replay, for statistics)
 * tells nothing new: it is passed over too, so a replay never opens a case nor starts a clock.
 */
@Controller()
export class CasesConsumer {
  constructor(
    private readonly inbox: InboxService,
    private readonly cases: CasesService,
  ) {}

  @BatchEventPattern(Topics.ReviewsSubmitted)
  async onReviewEvents(@Payload() messages: unknown[]): Promise<void> {
    await this.inbox.consumeBatch(CONSUMER, Topics.ReviewsSubmitted, messages, {
      types: [EventTypes.ReviewSubmitted],
      // Only bad reviews and 12345 transfers open cases: good ratings cost this consumer nothing.
      when: (event) => !isReplayed(event) && opensCase(event.data),
      apply: (manager, events) => this.cases.openMany(manager, events),
    });
  }

  @BatchEventPattern(Topics.UnresolvedReported)
  async onUnresolvedEvents(@Payload() messages: unknown[]): Promise<void> {
    await this.inbox.consumeBatch(CONSUMER, Topics.UnresolvedReported, messages, {
      types: [EventTypes.UnresolvedReported],
      when: (event) => !isReplayed(event),
      apply: (manager, events) => this.cases.openMany(manager, events),
    });
  }
}
