import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import {
  type CaseLifecycleData,
  EventTypes,
  type ReviewSubmittedData,
  type ReviewSuspectChangedData,
  Topics,
  type UnitRegisteredData,
  type UnresolvedReportedData,
} from '#libs/contracts';
import { InboxService } from '#libs/messaging';
import { RollupsService } from './rollups.service.js';

const CONSUMER = 'statistics.rollups';

/** One handler per topic; each effect runs in the inbox transaction, so a redelivered event changes nothing. */
@Controller()
export class RollupsConsumer {
  constructor(
    private readonly inbox: InboxService,
    private readonly rollups: RollupsService,
  ) {}

  @EventPattern(Topics.ReviewsSubmitted)
  async onReviewEvent(@Payload() message: unknown): Promise<void> {
    await this.inbox.consume<unknown>(CONSUMER, Topics.ReviewsSubmitted, message, async (manager, event) => {
      if (event.type === EventTypes.ReviewSubmitted) await this.rollups.applyReviewSubmitted(manager, event.data as ReviewSubmittedData);
      else if (event.type === EventTypes.ReviewSuspectChanged)
        await this.rollups.applySuspectChanged(manager, event.data as ReviewSuspectChangedData);
      else if (event.type === EventTypes.UnitRegistered) await this.rollups.applyUnitRegistered(manager, event.data as UnitRegisteredData);
    });
  }

  @EventPattern(Topics.CasesLifecycle)
  async onCaseEvent(@Payload() message: unknown): Promise<void> {
    await this.inbox.consume<CaseLifecycleData>(CONSUMER, Topics.CasesLifecycle, message, async (manager, event) => {
      if (event.type.startsWith('gov.case.')) await this.rollups.applyCase(manager, event.data);
    });
  }

  @EventPattern(Topics.UnresolvedReported)
  async onUnresolvedEvent(@Payload() message: unknown): Promise<void> {
    await this.inbox.consume<UnresolvedReportedData>(CONSUMER, Topics.UnresolvedReported, message, async (manager, event) => {
      if (event.type === EventTypes.UnresolvedReported) await this.rollups.applyUnresolvedReported(manager, event.data);
    });
  }
}
