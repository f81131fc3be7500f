import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { EventTypes, opensCase, type ReviewSubmittedData, Topics, type UnresolvedReportedData } from '#libs/contracts';
import { InboxService } from '#libs/messaging';
import { CasesService } from './cases.service.js';

const CONSUMER = 'rectification.cases';

/** Opens cases from bad reviews, hotline complaints (reviews on channel HOTLINE_12345) and 办不成事 reports. */
@Controller()
export class CasesConsumer {
  constructor(
    private readonly inbox: InboxService,
    private readonly cases: CasesService,
  ) {}

  @EventPattern(Topics.ReviewsSubmitted)
  async onReviewEvent(@Payload() message: unknown): Promise<void> {
    await this.inbox.consume<ReviewSubmittedData>(
      CONSUMER,
      Topics.ReviewsSubmitted,
      message,
      (manager, event) => this.cases.openFromReview(manager, event),
      // Only bad reviews and 12345 transfers open cases: good ratings cost this consumer nothing.
      { when: (event) => event.type === EventTypes.ReviewSubmitted && opensCase(event.data) },
    );
  }

  @EventPattern(Topics.UnresolvedReported)
  async onUnresolvedEvent(@Payload() message: unknown): Promise<void> {
    await this.inbox.consume<UnresolvedReportedData>(
      CONSUMER,
      Topics.UnresolvedReported,
      message,
      (manager, event) => this.cases.openFromUnresolved(manager, event),
      { when: (event) => event.type === EventTypes.UnresolvedReported },
    );
  }
}
