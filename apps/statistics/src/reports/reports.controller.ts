import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, CurrentPrincipal, scopedUnit, type UserPrincipal } from '#libs/auth';
import { QuarterlyQuery } from './dto/quarterly-query.dto.js';
import { ReportsService } from './reports.service.js';

@ApiTags('reports')
@Controller('reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get('quarterly')
  @Auth('admin', 'supervisor', 'unit_operator')
  @ApiOperation({ summary: 'Quarterly report (Asia/Shanghai calendar quarters)' })
  quarterly(@CurrentPrincipal() user: UserPrincipal, @Query() query: QuarterlyQuery) {
    return this.reports.quarterly({ year: query.year, quarter: query.quarter }, scopedUnit(user, query.unitCode));
  }
}
