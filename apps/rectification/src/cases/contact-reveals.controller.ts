import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth } from '#libs/auth';
import { ApiProblems } from '#libs/platform';
import { CasesService } from './cases.service.js';
import { ContactRevealsQuery } from './dto/case-actions.dto.js';
import { ContactRevealPageDto } from './dto/case.response.js';

/** The audit of reviewers' contacts revealed to units (PIPL): who saw whose contact, when and why. */
@ApiTags('audit')
@Auth('admin')
@Controller('audit/contact-reveals')
export class ContactRevealsController {
  constructor(private readonly cases: CasesService) {}

  @Get()
  @ApiOperation({ summary: 'Contact reveals, newest first (admin): case, unit, operator, reason, which fields' })
  @ApiOkResponse({ type: ContactRevealPageDto })
  @ApiProblems(400, 401, 403)
  list(@Query() query: ContactRevealsQuery) {
    return this.cases.contactReveals(query.page, query.pageSize);
  }
}
