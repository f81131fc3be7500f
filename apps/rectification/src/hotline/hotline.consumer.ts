import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { EventTypes, type HotlineClientData, Topics } from '#libs/contracts';
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
    await this.inbox.consume<HotlineClientData>(CONSUMER, Topics.HotlineClients, message, async (manager, event) => {
      if (event.type === EventTypes.HotlineClientRegistered || event.type === EventTypes.HotlineClientRevoked) {
        await this.clients.apply(manager, event);
      }
    });
  }
}
