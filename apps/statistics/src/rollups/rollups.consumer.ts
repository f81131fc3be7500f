import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { Topics } from '#libs/contracts';
import { BatchEventPattern, InboxService } from '#libs/messaging';
import { ROLLUP_EVENT_TYPES, RollupsService } from './rollups.service.js';

const CONSUMER = 'statistics.rollups';

/** A batch of a topic at a time; each batch is one inbox transaction, so a redelivered batch changes nothing. */
@Controller()
export class RollupsConsumer {
  constructor(
    private readonly inbox: InboxService,
    private readonly rollups: RollupsService,
  ) {}

  @BatchEventPattern(Topics.ReviewsSubmitted)
  async onReviewEvents(@Payload() messages: unknown[]): Promise<void> {
    await this.consume(Topics.ReviewsSubmitted, messages);
  }

  @BatchEventPattern(Topics.CasesLifecycle)
  async onCaseEvents(@Payload() messages: unknown[]): Promise<void> {
    await this.consume(Topics.CasesLifecycle, messages);
  }

  @BatchEventPattern(Topics.UnresolvedReported)
  async onUnresolvedEvents(@Payload() messages: unknown[]): Promise<void> {
    await this.consume(Topics.UnresolvedReported, messages);
  }

  private async consume(topic: string, messages: unknown[]): Promise<void> {
    await this.inbox.consumeBatch(CONSUMER, topic, messages, {
      types: ROLLUP_EVENT_TYPES,
      apply: (manager, events) => this.rollups.applyEvents(manager, events),
    });
  }
}
