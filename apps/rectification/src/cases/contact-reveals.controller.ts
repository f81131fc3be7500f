import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth } from '#libs/auth';
import { CasesService } from './cases.service.js';
import { ContactRevealsQuery } from './dto/case-actions.dto.js';

/** The audit of reviewers' contacts revealed to units (PIPL): who saw whose contact, when and why. */
@ApiTags('audit')
@Auth('admin')
@Controller('audit/contact-reveals')
export class ContactRevealsController {
  constructor(private readonly cases: CasesService) {}

  @Get()
  @ApiOperation({ summary: 'Contact reveals, newest first (admin): case, unit, operator, reason, which fields' })
  list(@Query() query: ContactRevealsQuery) {
    return this.cases.contactReveals(query.page, query.pageSize);
  }
}
