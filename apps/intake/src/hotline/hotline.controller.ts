import { Body, Controller, Post, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, type HotlineClientPrincipal, HotlineClientAuth } from '#libs/auth';
import { ApiProblems } from '#libs/platform';
import { BodyLimit, RateLimited } from '../rate-limit/rate-limit.guard.js';
import { HotlineComplaintDto } from './dto/hotline-complaint.dto.js';
import { ComplaintReceiptDto } from './dto/hotline-complaint.response.js';
import { type ComplaintReceipt, HotlineService } from './hotline.service.js';

@ApiTags('hotline')
@Controller('hotline')
export class HotlineController {
  constructor(private readonly hotline: HotlineService) {}

  @Post('complaints')
  @RateLimited()
  @HotlineClientAuth()
  @BodyLimit(64 * 1024)
  @ApiOperation({
    summary:
      '12345 转办: stored on channel HOTLINE_12345 (a BAD review for a COMPLAINT; other categories are no review) and opens a case. ' +
      '201; 200 with the same id for the same client’s ticketId with an identical body; 409 TICKET_CONFLICT with another body',
  })
  @ApiCreatedResponse({ type: ComplaintReceiptDto, description: 'Stored; a case is opened' })
  @ApiOkResponse({ type: ComplaintReceiptDto, description: 'The same ticket again with an identical body' })
  @ApiProblems(400, 401, 409, 413, 429)
  async receive(
    @CurrentPrincipal() client: HotlineClientPrincipal,
    @Body() dto: HotlineComplaintDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<ComplaintReceipt> {
    const receipt = await this.hotline.receive(client, dto);
    res.status(receipt.duplicate ? 200 : 201);
    return receipt;
  }
}
