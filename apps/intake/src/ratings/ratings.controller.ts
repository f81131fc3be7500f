import { Body, Controller, Get, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentPrincipal, DeviceAuth, type DevicePrincipal } from '#libs/auth';
import { BAD_REVIEW_TAGS, RATING_LEVELS } from '#libs/contracts';
import { CreateRatingDto } from './dto/create-rating.dto.js';
import { type RatingReceipt, RatingsService } from './ratings.service.js';

@ApiTags('ratings')
@Controller()
export class RatingsController {
  constructor(private readonly ratings: RatingsService) {}

  @Post('ratings')
  @DeviceAuth()
  @ApiOperation({ summary: 'Submit one rating from a window PAD (一次一评)' })
  async submit(
    @CurrentPrincipal() device: DevicePrincipal,
    @Body() dto: CreateRatingDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<RatingReceipt> {
    const receipt = await this.ratings.submit(device, dto);
    res.status(receipt.duplicate ? 200 : 201);
    return receipt;
  }

  @Get('rating-tags')
  @ApiOperation({ summary: 'Bad-review tag codes with Chinese labels, and the five levels' })
  tags() {
    return {
      tags: Object.entries(BAD_REVIEW_TAGS).map(([code, label]) => ({ code, label })),
      levels: RATING_LEVELS,
    };
  }
}
