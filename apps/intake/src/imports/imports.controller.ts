import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, CurrentPrincipal, type UserPrincipal } from '#libs/auth';
import { ApiProblems, TEXT_CHECKED_PER_ITEM } from '#libs/platform';
import { BatchResultsDto } from '../ratings/dto/rating.response.js';
import { BodyLimit } from '../rate-limit/rate-limit.guard.js';
import { ImportRatingsDto } from './dto/import-ratings.dto.js';
import { ImportsService } from './imports.service.js';

export const IMPORT_ROUTE = '/api/v1/imports/ratings';
/** 5,000 ratings with long comments in any script fit in 8 MiB. */
export const IMPORT_BODY_LIMIT = 8 * 1024 * 1024;

@ApiTags('imports')
@Controller('imports')
export class ImportsController {
  constructor(private readonly imports: ImportsService) {}

  @Post('ratings')
  @HttpCode(200)
  // Each item's text is judged with the item (rejected on its own), not as the whole request.
  @RouteConfig({ [TEXT_CHECKED_PER_ITEM]: 'ratings' })
  @Auth('admin')
  @BodyLimit(IMPORT_BODY_LIMIT)
  @ApiOperation({
    summary:
      'History from a previous platform: 1–5,000 ratings of one unit (ratedAt from 2000-01-01 on); per-item created | duplicate | rejected, ' +
      'idempotent on (unitCode, serviceRecordId); events marked imported; no 刷评 burst check; bad items open cases (clock from receipt). ' +
      'Over 5,000 items or 8 MiB → 413',
  })
  @ApiOkResponse({ type: BatchResultsDto })
  @ApiProblems(400, 401, 403, 413)
  importRatings(@CurrentPrincipal() admin: UserPrincipal, @Body() dto: ImportRatingsDto) {
    return this.imports.importRatings(admin, dto);
  }
}
