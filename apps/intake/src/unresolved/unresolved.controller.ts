import { Body, Controller, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, CurrentPrincipal, type UserPrincipal } from '#libs/auth';
import { ApiProblems } from '#libs/platform';
import { UnresolvedReportDto } from './dto/unresolved-report.dto.js';
import { UnresolvedReportResponseDto } from './dto/unresolved-report.response.js';
import { UnresolvedService } from './unresolved.service.js';

@ApiTags('unresolved-reports')
@Controller('unresolved-reports')
export class UnresolvedController {
  constructor(private readonly unresolved: UnresolvedService) {}

  @Post()
  @Auth('unit_operator')
  @ApiOperation({
    summary: '办不成事 report for the operator’s own unit; opens a case of source UNRESOLVED. 201 { id, … } (contact masked)',
  })
  @ApiCreatedResponse({ type: UnresolvedReportResponseDto })
  @ApiProblems(400, 401, 403)
  report(@CurrentPrincipal() user: UserPrincipal, @Body() dto: UnresolvedReportDto) {
    return this.unresolved.report(user, dto);
  }
}
