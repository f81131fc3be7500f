import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { EventTypes, type ReviewSubmittedData, Topics } from '#libs/contracts';
import { InboxService } from '#libs/messaging';
import { CasesService } from './cases.service.js';

const CONSUMER = 'rectification.cases';

@Controller()
export class CasesConsumer {
  constructor(
    private readonly inbox: InboxService,
    private readonly cases: CasesService,
  ) {}

  @EventPattern(Topics.ReviewsSubmitted)
  async onReviewEvent(@Payload() message: unknown): Promise<void> {
    await this.inbox.consume<ReviewSubmittedData>(CONSUMER, Topics.ReviewsSubmitted, message, async (manager, event) => {
      if (event.type === EventTypes.ReviewSubmitted) await this.cases.openFromReview(manager, event);
    });
  }
}
