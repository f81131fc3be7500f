import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import { Auth, CurrentPrincipal, DeviceAuth, type DevicePrincipal, type UserPrincipal } from '#libs/auth';
import { ApiProblems, TEXT_CHECKED_PER_ITEM } from '#libs/platform';
import { BodyLimit, type LimitedRequest, RateLimited } from '../rate-limit/rate-limit.guard.js';
import { CreateRatingDto } from './dto/create-rating.dto.js';
import { RatingBatchDto } from './dto/rating-batch.dto.js';
import { ListRatingsQueryDto } from './dto/rating-queries.dto.js';
import {
  BatchResultsDto,
  RatingPageDto,
  RatingReceiptDto,
  RatingResponseDto,
  RatingTagsDto,
  RejectedUploadsDto,
} from './dto/rating.response.js';
import { type RatingReceipt, RatingsService } from './ratings.service.js';
import { ParseIdPipe } from '#libs/common';

/** One rating is a few hundred bytes; 16 KiB leaves room for a 500-character comment in any script. */
const SINGLE_RATING_BODY_LIMIT = 16 * 1024;

@ApiTags('ratings')
@Controller()
export class RatingsController {
  constructor(private readonly ratings: RatingsService) {}

  @Post('ratings')
  @RateLimited({ inWrite: true })
  @DeviceAuth()
  @BodyLimit(SINGLE_RATING_BODY_LIMIT)
  @ApiOperation({ summary: 'Submit one rating from a window PAD (一次一评): 201 created, 200 identical retry, 409 ALREADY_RATED' })
  @ApiCreatedResponse({ type: RatingReceiptDto, description: 'Stored' })
  @ApiOkResponse({ type: RatingReceiptDto, description: 'An identical retry of a stored rating' })
  @ApiProblems(400, 401, 409, 413, 429)
  async submit(
    @CurrentPrincipal() device: DevicePrincipal,
    @Body() dto: CreateRatingDto,
    @Req() req: LimitedRequest,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<RatingReceipt> {
    const receipt = await this.ratings.submit(device, dto, req.ratingLimits);
    res.status(receipt.duplicate ? 200 : 201);
    return receipt;
  }

  @Post('ratings/batch')
  @HttpCode(200)
  // Each item's text is judged with the item (rejected on its own), not as the whole request.
  @RouteConfig({ [TEXT_CHECKED_PER_ITEM]: 'ratings' })
  @RateLimited()
  @DeviceAuth()
  @ApiOperation({
    summary:
      'Offline upload of 1–500 ratings; per-item created | duplicate | rejected (never 500 for an item); over 500 items or 1 MiB → 413; the items count against the device hourly budget (429 RATE_LIMITED + Retry-After)',
  })
  @ApiOkResponse({ type: BatchResultsDto })
  @ApiProblems(400, 401, 413, 429)
  submitBatch(@CurrentPrincipal() device: DevicePrincipal, @Body() dto: RatingBatchDto) {
    return this.ratings.submitBatch(device, dto.ratings);
  }

  @Get('devices/:deviceId/rejected-uploads')
  @Auth('admin')
  @ApiOperation({
    summary:
      'The items a PAD’s offline uploads had refused (its 未通过 counter), newest first, with the reasons in Chinese; the newest 200 per device are kept',
  })
  @ApiOkResponse({ type: RejectedUploadsDto })
  @ApiProblems(400, 401, 403, 404)
  rejectedUploads(@Param('deviceId', new ParseIdPipe()) deviceId: string) {
    return this.ratings.rejectedUploadsOf(deviceId);
  }

  @Get('rating-tags')
  @ApiOperation({ summary: 'Bad-review tag codes with Chinese labels, and the five levels' })
  @ApiOkResponse({ type: RatingTagsDto })
  tags(): RatingTagsDto {
    return RatingTagsDto.current();
  }

  @Get('ratings')
  @Auth('supervisor', 'unit_operator', 'admin')
  @ApiOperation({ summary: 'List stored ratings (contact masked), e.g. ?suspect=true; unit operators see their own unit only' })
  @ApiOkResponse({ type: RatingPageDto })
  @ApiProblems(400, 401, 403)
  list(@CurrentPrincipal() user: UserPrincipal, @Query() query: ListRatingsQueryDto) {
    return this.ratings.list(user, query);
  }

  @Get('ratings/:id')
  @Auth('supervisor', 'unit_operator', 'admin')
  @ApiOperation({ summary: 'One stored rating with its suspect flag and reason (contact masked)' })
  @ApiOkResponse({ type: RatingResponseDto })
  @ApiProblems(400, 401, 403, 404)
  get(@CurrentPrincipal() user: UserPrincipal, @Param('id', new ParseIdPipe()) id: string) {
    return this.ratings.get(user, id);
  }

  @Post('ratings/:id/clear-suspect')
  @HttpCode(200)
  @Auth('supervisor')
  @ApiOperation({
    summary: 'Clear a suspect (刷评) flag: the rating counts in the rates again (audited)',
    description: 'Idempotent; a rating confirmed as 刷评 cannot be cleared (409 INVALID_TRANSITION).',
  })
  @ApiOkResponse({ type: RatingResponseDto })
  @ApiProblems(400, 401, 403, 404, 409)
  clearSuspect(@CurrentPrincipal() user: UserPrincipal, @Param('id', new ParseIdPipe()) id: string) {
    return this.ratings.clearSuspect(user, id);
  }

  @Post('ratings/:id/confirm-suspect')
  @HttpCode(200)
  @Auth('supervisor')
  @ApiOperation({
    summary: 'Confirm a suspect (刷评) flag: the rating stays out of every rate, recorded as confirmed (audited)',
    description:
      'Idempotent; a rating never flagged, or already cleared, → 409 INVALID_TRANSITION. Emits gov.review.suspect-changed with suspect: true.',
  })
  @ApiOkResponse({ type: RatingResponseDto })
  @ApiProblems(400, 401, 403, 404, 409)
  confirmSuspect(@CurrentPrincipal() user: UserPrincipal, @Param('id', new ParseIdPipe()) id: string) {
    return this.ratings.confirmSuspect(user, id);
  }
}
