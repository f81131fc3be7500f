import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { EventTypes, Topics } from '#libs/contracts';
import { InboxService } from '#libs/messaging';
import { PublicRepository } from './public.repository.js';

const CONSUMER = 'statistics.public-cases';

/** Keeps the 以评促改 examples the units chose to publish (idempotent through the inbox, ordered by case version). */
@Controller()
export class PublicCasesConsumer {
  constructor(
    private readonly inbox: InboxService,
    private readonly repository: PublicRepository,
  ) {}

  @EventPattern(Topics.CasesPublication)
  async onPublicationEvent(@Payload() message: unknown): Promise<void> {
    await this.inbox.consume(CONSUMER, Topics.CasesPublication, message, { types: [EventTypes.CasePublicationChanged] }, (manager, event) =>
      this.repository.saveExample(manager, event.data),
    );
  }
}
