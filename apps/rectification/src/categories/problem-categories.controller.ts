import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, CurrentPrincipal, type UserPrincipal } from '#libs/auth';
import { ApiProblems } from '#libs/platform';
import {
  CreateProblemCategoryDto,
  ListProblemCategoriesQuery,
  ProblemCategoryDto,
  UpdateProblemCategoryDto,
} from './problem-categories.dto.js';
import { ProblemCategoriesService } from './problem-categories.service.js';

/** 问题分类: the two-level taxonomy operators choose from at rectify. */
@ApiTags('problem-categories')
@ApiProblems(400, 401, 403)
@Controller('problem-categories')
export class ProblemCategoriesController {
  constructor(private readonly categories: ProblemCategoriesService) {}

  @Get()
  @Auth('admin', 'supervisor', 'unit_operator')
  @ApiOperation({
    summary: 'The taxonomy: each top-level category followed by its sub-categories; retired ones only with includeRetired=true',
  })
  @ApiOkResponse({ type: [ProblemCategoryDto] })
  list(@Query() query: ListProblemCategoriesQuery) {
    return this.categories.list(query.includeRetired === true);
  }

  @Post()
  @Auth('admin')
  @ApiOperation({ summary: 'Add a category or sub-category (admin); 409 when the code exists' })
  @ApiCreatedResponse({ type: ProblemCategoryDto })
  @ApiProblems(409)
  create(@CurrentPrincipal() user: UserPrincipal, @Body() body: CreateProblemCategoryDto) {
    return this.categories.create(user, body);
  }

  @Patch(':code')
  @Auth('admin')
  @ApiOperation({ summary: 'Rename, reorder, retire or bring back a category (admin); codes never change and nothing is deleted' })
  @ApiOkResponse({ type: ProblemCategoryDto })
  @ApiProblems(404)
  update(@CurrentPrincipal() user: UserPrincipal, @Param('code') code: string, @Body() body: UpdateProblemCategoryDto) {
    return this.categories.update(user, code, body);
  }
}
