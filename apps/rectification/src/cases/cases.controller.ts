import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { assertUnitAccess, Auth, CurrentPrincipal, scopedUnit, type UserPrincipal } from '#libs/auth';
import { CasesService } from './cases.service.js';
import { ListCasesQuery } from './dto/list-cases.query.js';

@ApiTags('cases')
@Auth('admin', 'supervisor', 'unit_operator')
@Controller('cases')
export class CasesController {
  constructor(private readonly cases: CasesService) {}

  @Get()
  @ApiOperation({ summary: 'List rectification cases (a unit operator sees only its unit)' })
  list(@CurrentPrincipal() user: UserPrincipal, @Query() query: ListCasesQuery) {
    return this.cases.list(query, scopedUnit(user, query.unitCode));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One case with its full timeline' })
  async get(@CurrentPrincipal() user: UserPrincipal, @Param('id', new ParseUUIDPipe()) id: string) {
    const found = await this.cases.get(id);
    assertUnitAccess(user, found.case.unitCode);
    return found.view;
  }
}
