import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, CurrentPrincipal, type UserPrincipal } from '#libs/auth';
import { ApiProblems } from '#libs/platform';
import {
  AcceptActionDto,
  AddClassCasesDto,
  AssignActionDto,
  CreateProblemClassDto,
  ImprovementActionPageDto,
  ListImprovementActionsQuery,
  ListProblemClassesQuery,
  ProblemClassDetailDto,
  ProblemClassPageDto,
  ReportActionDto,
  ReturnActionDto,
} from './dto/problem-classes.dto.js';
import { ProblemClassesService } from './problem-classes.service.js';
import { ParseIdPipe } from '#libs/common';

const UUID = new ParseIdPipe();

/**
 * 类问题 (problem classes): supervisors group cases of any unit into a class of one 问题分类 and assign improvement actions
 * (优化一类服务) to units; the unit reports each done with evidence; the supervisor accepts or returns it. A class whose
 * actions are all accepted is SOLVED, and a solved class no longer changes (409 INVALID_TRANSITION). Every step is in the
 * class's timeline, the audit log and a `gov.problem-class.*` event (topic problem-classes.lifecycle). Every step answers
 * with the class as it now stands.
 */
@ApiTags('problem-classes')
@ApiProblems(400, 401, 403)
@Controller()
export class ProblemClassesController {
  constructor(private readonly classes: ProblemClassesService) {}

  @Post('problem-classes')
  @Auth('supervisor')
  @ApiOperation({
    summary:
      'Open a class (supervisor): `{ title, categoryCode, description, caseIds }`; every unknown case and an unknown or retired category → 400 naming each field (`caseIds.3`)',
  })
  @ApiCreatedResponse({ type: ProblemClassDetailDto })
  create(@CurrentPrincipal() user: UserPrincipal, @Body() body: CreateProblemClassDto) {
    return this.classes.create(user, body);
  }

  @Get('problem-classes')
  @Auth('admin', 'supervisor', 'unit_operator')
  @ApiOperation({
    summary:
      'Classes, newest first (`status=OPEN|SOLVED`, `categoryCode`); a unit operator sees only classes with an action of its unit, counted for its unit',
  })
  @ApiOkResponse({ type: ProblemClassPageDto })
  list(@CurrentPrincipal() user: UserPrincipal, @Query() query: ListProblemClassesQuery) {
    return this.classes.list(user, query);
  }

  @Get('problem-classes/:id')
  @Auth('admin', 'supervisor', 'unit_operator')
  @ApiOperation({
    summary:
      'One class with its cases, actions and timeline. A unit operator: only a class with an action of its unit (else 403 FORBIDDEN_UNIT), and of it only its unit’s cases, actions and steps',
  })
  @ApiOkResponse({ type: ProblemClassDetailDto })
  @ApiProblems(404)
  get(@CurrentPrincipal() user: UserPrincipal, @Param('id', UUID) id: string) {
    return this.classes.get(user, id);
  }

  @Post('problem-classes/:id/cases')
  @HttpCode(200)
  @Auth('supervisor')
  @ApiOperation({ summary: 'Add cases (supervisor, while OPEN): `{ caseIds }`; ones already in the class are left as they are' })
  @ApiOkResponse({ type: ProblemClassDetailDto })
  @ApiProblems(404, 409)
  addCases(@CurrentPrincipal() user: UserPrincipal, @Param('id', UUID) id: string, @Body() body: AddClassCasesDto) {
    return this.classes.addCases(user, id, body);
  }

  @Delete('problem-classes/:id/cases/:caseId')
  @Auth('supervisor')
  @ApiOperation({ summary: 'Remove a case (supervisor, while OPEN); the last case cannot be removed (409 CONFLICT)' })
  @ApiOkResponse({ type: ProblemClassDetailDto })
  @ApiProblems(404, 409)
  removeCase(@CurrentPrincipal() user: UserPrincipal, @Param('id', UUID) id: string, @Param('caseId', UUID) caseId: string) {
    return this.classes.removeCase(user, id, caseId);
  }

  @Post('problem-classes/:id/actions')
  @Auth('supervisor')
  @ApiOperation({
    summary:
      'Assign an improvement action (优化一类服务) to a unit (supervisor, while OPEN): `{ unitCode, action, dueAt }` or `{ unitCode, action, workingDays }` (due at the end of the N-th working day, the calendar of case deadlines)',
  })
  @ApiCreatedResponse({ type: ProblemClassDetailDto })
  @ApiProblems(404, 409)
  assign(@CurrentPrincipal() user: UserPrincipal, @Param('id', UUID) id: string, @Body() body: AssignActionDto) {
    return this.classes.assignAction(user, id, body);
  }

  @Post('problem-classes/:id/actions/:actionId/report')
  @HttpCode(200)
  @Auth('unit_operator')
  @ApiOperation({
    summary:
      'Report the action done, with evidence (the operator of the action’s unit; another unit → 403 FORBIDDEN_UNIT): ASSIGNED or RETURNED → REPORTED',
  })
  @ApiOkResponse({ type: ProblemClassDetailDto })
  @ApiProblems(404, 409)
  report(
    @CurrentPrincipal() user: UserPrincipal,
    @Param('id', UUID) id: string,
    @Param('actionId', UUID) actionId: string,
    @Body() body: ReportActionDto,
  ) {
    return this.classes.step(user, id, actionId, 'report', body);
  }

  @Post('problem-classes/:id/actions/:actionId/accept')
  @HttpCode(200)
  @Auth('supervisor')
  @ApiOperation({ summary: 'Accept a reported action (supervisor): REPORTED → ACCEPTED; the last one to be accepted solves the class' })
  @ApiOkResponse({ type: ProblemClassDetailDto })
  @ApiProblems(404, 409)
  accept(
    @CurrentPrincipal() user: UserPrincipal,
    @Param('id', UUID) id: string,
    @Param('actionId', UUID) actionId: string,
    @Body() body: AcceptActionDto,
  ) {
    return this.classes.step(user, id, actionId, 'accept', body);
  }

  @Post('problem-classes/:id/actions/:actionId/return')
  @HttpCode(200)
  @Auth('supervisor')
  @ApiOperation({ summary: 'Return a reported action with the reason (supervisor): REPORTED → RETURNED; the unit reports again' })
  @ApiOkResponse({ type: ProblemClassDetailDto })
  @ApiProblems(404, 409)
  giveBack(
    @CurrentPrincipal() user: UserPrincipal,
    @Param('id', UUID) id: string,
    @Param('actionId', UUID) actionId: string,
    @Body() body: ReturnActionDto,
  ) {
    return this.classes.step(user, id, actionId, 'return', body);
  }

  @Get('improvement-actions')
  @Auth('admin', 'supervisor', 'unit_operator')
  @ApiOperation({
    summary: 'Improvement actions, outstanding ones first by due time (`status`, `unitCode`); a unit operator sees only its own unit’s',
  })
  @ApiOkResponse({ type: ImprovementActionPageDto })
  actions(@CurrentPrincipal() user: UserPrincipal, @Query() query: ListImprovementActionsQuery) {
    return this.classes.actions(user, query);
  }
}
