import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '#libs/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PublicQuarterDto, PublicQuarterListDto, PublicQuarterParams } from './dto/public.dto.js';
import { sendPublic } from './public-http.js';
import { PublicService } from './public.service.js';

/** The JSON twin of the public pages, for the government portal to embed. No login. */
@ApiTags('public')
@Controller('public')
export class PublicController {
  constructor(private readonly publicData: PublicService) {}

  @Get('quarters')
  @ApiOperation({ summary: '公开: the published quarters (no login; Cache-Control public, max-age=300, ETag)' })
  @ApiOkResponse({ type: PublicQuarterListDto })
  async quarters(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await sendPublic(req, reply, JSON.stringify(await this.publicData.quarters()), 'application/json; charset=utf-8');
  }

  @Get('quarters/:year/:quarter')
  @ApiOperation({
    summary: "公开: a published quarter's frozen figures per unit (好评率, 差评数, 差评及时答复率, rank) and its 以评促改 examples",
    description: 'No login. A quarter that is not published → 404. No name, phone, staff id or unpublished free text is ever part of it.',
  })
  @ApiHeader({ name: 'If-None-Match', required: false, description: 'The ETag of an earlier answer → 304' })
  @ApiOkResponse({ type: PublicQuarterDto })
  @ApiProblems(400, 404)
  async quarter(@Param() params: PublicQuarterParams, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const body = JSON.stringify(await this.publicData.quarter(params.year, params.quarter));
    await sendPublic(req, reply, body, 'application/json; charset=utf-8');
  }
}
