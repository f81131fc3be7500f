import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { EventTypes, Topics } from '#libs/contracts';
import { BatchEventPattern, InboxService } from '#libs/messaging';
import { AuditService } from './audit.service.js';

const CONSUMER = 'intake.audit';

/** The audit entries of rectification and statistics, into the one audit log; a redelivered batch changes nothing (inbox). */
@Controller()
export class AuditConsumer {
  constructor(
    private readonly inbox: InboxService,
    private readonly audit: AuditService,
  ) {}

  @BatchEventPattern(Topics.AuditRecorded)
  async onAuditEvents(@Payload() messages: unknown[]): Promise<void> {
    await this.inbox.consumeBatch(CONSUMER, Topics.AuditRecorded, messages, {
      types: [EventTypes.AuditRecorded],
      apply: (manager, events) => this.audit.applyRecorded(manager, events),
    });
  }
}
