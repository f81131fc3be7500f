import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, PlatformClientAuth, type PlatformClientPrincipal } from '#libs/auth';
import { ApiProblems, TEXT_CHECKED_PER_ITEM } from '#libs/platform';
import { BodyLimit, RateLimited } from '../rate-limit/rate-limit.guard.js';
import { OnlineRatingDto } from '../ratings/dto/create-rating.dto.js';
import { RatingBatchDto } from '../ratings/dto/rating-batch.dto.js';
import { BatchResultsDto, RatingReceiptDto } from '../ratings/dto/rating.response.js';
import { type RatingReceipt, RatingsService } from '../ratings/ratings.service.js';

/** The online platform (一网通办) pushes the ratings of online 办件: channel ONLINE, the same rules as a PAD's. */
@ApiTags('online platform')
@Controller('online')
export class OnlineController {
  constructor(private readonly ratings: RatingsService) {}

  @Post('ratings')
  @RateLimited()
  @PlatformClientAuth('ONLINE')
  @BodyLimit(16 * 1024)
  @ApiOperation({
    summary:
      'One online rating (an ONLINE platform client, HMAC with X-Client-Id): a PAD rating plus unitCode (a registered unit, else 400) and optional stage. ' +
      '201 created, 200 the same rating again, 409 ALREADY_RATED when the matter and stage were rated otherwise, by any channel',
  })
  @ApiCreatedResponse({
    type: RatingReceiptDto,
    description:
      'Stored on channel ONLINE. 刷评 is counted per (client, unit), with the PAD rules: more than 5 ratings of one unit ' +
      'whose ratedAt (or, for single ratings, arrival) fall within 10 s are stored but flagged suspect',
  })
  @ApiOkResponse({ type: RatingReceiptDto, description: 'The same rating of the matter and stage, already stored' })
  @ApiProblems(400, 401, 403, 409, 413, 429)
  async submit(
    @CurrentPrincipal() client: PlatformClientPrincipal,
    @Body() dto: OnlineRatingDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<RatingReceipt> {
    const receipt = await this.ratings.submitOnline(client, dto);
    res.status(receipt.duplicate ? 200 : 201);
    return receipt;
  }

  @Post('ratings/batch')
  @HttpCode(200)
  @RouteConfig({ [TEXT_CHECKED_PER_ITEM]: 'ratings' })
  @RateLimited()
  @PlatformClientAuth('ONLINE')
  @ApiOperation({
    summary:
      '1–500 online ratings, each naming its unit; per-item created | duplicate | rejected (an unknown unit rejects its item); over 500 items or 1 MiB → 413',
  })
  @ApiOkResponse({ type: BatchResultsDto })
  @ApiProblems(400, 401, 403, 413, 429)
  submitBatch(@CurrentPrincipal() client: PlatformClientPrincipal, @Body() dto: RatingBatchDto) {
    return this.ratings.submitOnlineBatch(client, dto.ratings);
  }
}
