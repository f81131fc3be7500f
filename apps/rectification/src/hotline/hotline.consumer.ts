import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { EventTypes, Topics } from '#libs/contracts';
import { InboxService } from '#libs/messaging';
import { HotlineClientsService } from './hotline-clients.service.js';

const CONSUMER = 'rectification.hotline-clients';

@Controller()
export class HotlineConsumer {
  constructor(
    private readonly inbox: InboxService,
    private readonly clients: HotlineClientsService,
  ) {}

  @EventPattern(Topics.HotlineClients)
  async onHotlineClientEvent(@Payload() message: unknown): Promise<void> {
    await this.inbox.consume(
      CONSUMER,
      Topics.HotlineClients,
      message,
      { types: [EventTypes.HotlineClientRegistered, EventTypes.HotlineClientRevoked] },
      (manager, event) => this.clients.apply(manager, event),
    );
  }
}
