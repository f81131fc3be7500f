import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth } from '#libs/auth';
import { ApiProblems } from '#libs/platform';
import { HotspotsDto, HotspotsQuery } from './hotspots.dto.js';
import { HotspotsService } from './hotspots.service.js';

/** 分析研判 in statistics: hotspots. */
@ApiTags('analysis')
@ApiProblems(400, 401, 403)
@Controller('analysis')
export class AnalysisController {
  constructor(private readonly hotspots: HotspotsService) {}

  @Get('hotspots')
  @Auth('supervisor')
  @ApiOperation({
    summary:
      'Service items and 问题分类 whose bad reviews in the last 7 days stand well above their own 8-week baseline (rule: at least 3, and a one-sided Poisson test P(X ≥ n | λ) < 0.01 with λ the baseline weekly mean floored at 0.5). Categories count once the case was rectified with one. Each hotspot links to its cases.',
  })
  @ApiOkResponse({ type: HotspotsDto })
  list(@Query() query: HotspotsQuery) {
    return this.hotspots.hotspots(query.date);
  }
}
