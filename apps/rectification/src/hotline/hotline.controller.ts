import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type HotlineClientPrincipal, HotlineClientAuth } from '#libs/auth';
import { ApiProblems } from '#libs/platform';
import { HotlineTicketDto } from './hotline-ticket.response.js';
import { HotlineTicketsService } from './hotline-tickets.service.js';

@ApiTags('hotline')
@Controller('hotline')
export class HotlineController {
  constructor(private readonly tickets: HotlineTicketsService) {}

  @Get('tickets/:ticketId')
  @HotlineClientAuth()
  @ApiOperation({ summary: "A 12345 ticket's case and reply (the client that transferred it only; others get 404)" })
  @ApiOkResponse({ type: HotlineTicketDto })
  @ApiProblems(401, 404, 429)
  ticket(@CurrentPrincipal() client: HotlineClientPrincipal, @Param('ticketId') ticketId: string): Promise<HotlineTicketDto> {
    return this.tickets.ticket(client, ticketId);
  }
}
