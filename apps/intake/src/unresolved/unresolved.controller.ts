import { Body, Controller, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, CurrentPrincipal, type UserPrincipal } from '#libs/auth';
import { UnresolvedReportDto } from './dto/unresolved-report.dto.js';
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
  report(@CurrentPrincipal() user: UserPrincipal, @Body() dto: UnresolvedReportDto) {
    return this.unresolved.report(user, dto);
  }
}
