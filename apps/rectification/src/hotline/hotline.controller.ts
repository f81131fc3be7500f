import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, CurrentPrincipal, type HotlineClientPrincipal, HotlineClientAuth } from '#libs/auth';
import { ApiProblems } from '#libs/platform';
import { HotlineDeliveriesDto } from './dto/hotline-deliveries.dto.js';
import { HotlineDeliveriesService } from './hotline-deliveries.service.js';
import { HotlineTicketDto } from './hotline-ticket.response.js';
import { HotlineTicketsService } from './hotline-tickets.service.js';

@ApiTags('hotline')
@Controller('hotline')
export class HotlineController {
  constructor(
    private readonly tickets: HotlineTicketsService,
    private readonly deliveries: HotlineDeliveriesService,
  ) {}

  @Get('deliveries')
  @Auth('admin')
  @ApiOperation({
    summary: "Each 12345 client's callback URL and how the replies to it are delivered (admin)",
    description:
      'Per client: delivered / pending / failing / undeliverable counts, the last attempt, the next retry and the error of the latest ' +
      'failed attempt of a reply still failing. Counts and times only: no reply text, ticket or citizen data.',
  })
  @ApiOkResponse({ type: HotlineDeliveriesDto })
  @ApiProblems(401, 403)
  deliveryStatus(): Promise<HotlineDeliveriesDto> {
    return this.deliveries.byClient();
  }

  @Get('tickets/:ticketId')
  @HotlineClientAuth()
  @ApiOperation({ summary: "A 12345 ticket's case and reply (the client that transferred it only; others get 404)" })
  @ApiOkResponse({ type: HotlineTicketDto })
  @ApiProblems(401, 404, 429)
  ticket(@CurrentPrincipal() client: HotlineClientPrincipal, @Param('ticketId') ticketId: string): Promise<HotlineTicketDto> {
    return this.tickets.ticket(client, ticketId);
  }
}
