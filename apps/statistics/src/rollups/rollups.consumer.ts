import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { EventTypes, type ReviewSubmittedData, Topics } from '#libs/contracts';
import { InboxService } from '#libs/messaging';
import { RollupsService } from './rollups.service.js';

const CONSUMER = 'statistics.rollups';

@Controller()
export class RollupsConsumer {
  constructor(
    private readonly inbox: InboxService,
    private readonly rollups: RollupsService,
  ) {}

  @EventPattern(Topics.ReviewsSubmitted)
  async onReviewEvent(@Payload() message: unknown): Promise<void> {
    await this.inbox.consume<ReviewSubmittedData>(CONSUMER, Topics.ReviewsSubmitted, message, async (manager, event) => {
      if (event.type === EventTypes.ReviewSubmitted) await this.rollups.applyReviewSubmitted(manager, event);
    });
  }
}
