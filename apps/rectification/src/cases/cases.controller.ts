import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, CurrentPrincipal, Roles, type UserPrincipal } from '#libs/auth';
import { ApiProblems } from '#libs/platform';
import { CaseSuggestionsDto } from '../categories/suggestions.dto.js';
import { SuggestionsService } from '../categories/suggestions.service.js';
import { CaseActionsService } from './case-actions.service.js';
import { CasesService } from './cases.service.js';
import { ACTION_ROLES, type CaseAction } from './domain/case-state-machine.js';
import {
  AcceptCaseDto,
  AppealCaseDto,
  DecideAppealDto,
  DecideExtensionDto,
  FeedbackCaseDto,
  RectifyCaseDto,
  RequestExtensionDto,
  RespondCaseDto,
  RevealContactDto,
  UrgeCaseDto,
} from './dto/case-actions.dto.js';
import { CaseDetailResponseDto, CasePageDto, CaseResponseDto, RevealedContactDto } from './dto/case.response.js';
import { ListCasesQuery } from './dto/list-cases.query.js';
import { ParseIdPipe } from '#libs/common';

const UUID = new ParseIdPipe();

/**
 * The people who may take a case action, as the state machine has them (ACTION_ROLES, less the scheduler): the guard
 * refuses anyone else, and the route's OpenAPI operation names them (`x-roles`).
 */
const ActionRoles = (action: CaseAction) => Roles(...ACTION_ROLES[action].flatMap((role) => (role === 'system' ? [] : [role])));

/**
 * Cases and their actions. Every action answers 200 with the case as it now stands; 403 FORBIDDEN for
 * the wrong role, 403 FORBIDDEN_UNIT for another unit's case, 409 INVALID_TRANSITION when the action
 * does not apply in the case's current state (including the loser of two concurrent actions).
 */
@ApiTags('cases')
@ApiProblems(400, 401, 403)
@Auth('admin', 'supervisor', 'unit_operator')
@Controller('cases')
export class CasesController {
  constructor(
    private readonly cases: CasesService,
    private readonly actions: CaseActionsService,
    private readonly suggestions: SuggestionsService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List rectification cases (a unit operator sees only its unit)' })
  @ApiOkResponse({ type: CasePageDto })
  list(@CurrentPrincipal() user: UserPrincipal, @Query() query: ListCasesQuery) {
    return this.cases.list(user, query);
  }

  @Get(':id')
  @ApiOperation({
    summary:
      'One case with its full timeline and the actions the caller may take on it now (`actions`). `deadlineProvisional: true`: a deadline rests on a day of a calendar year not yet published or confirmed (GET /calendar/{year}); it is recomputed, with a `deadline-changed` timeline entry, when the year is confirmed.',
  })
  @ApiOkResponse({ type: CaseDetailResponseDto })
  @ApiProblems(404)
  get(@CurrentPrincipal() user: UserPrincipal, @Param('id', UUID) id: string) {
    return this.cases.get(user, id);
  }

  @Get(':id/suggestions')
  @ApiOperation({
    summary:
      '问题分类 suggestions for rectify: categories scored from the text (jieba word segmentation), the tags, the service item and the categories operators chose for similar cases; and earlier cases of the same service item, any unit, with similar text. Only a suggestion: the operator decides.',
  })
  @ApiOkResponse({ type: CaseSuggestionsDto })
  @ApiProblems(404)
  suggest(@CurrentPrincipal() user: UserPrincipal, @Param('id', UUID) id: string) {
    return this.suggestions.forCase(user, id);
  }

  @Post(':id/accept')
  @ActionRoles('accept')
  @HttpCode(200)
  @ApiOperation({ summary: '签收 (unit_operator): PENDING → ACCEPTED' })
  @ApiOkResponse({ type: CaseResponseDto, description: 'The case as it now stands' })
  @ApiProblems(404, 409)
  accept(@CurrentPrincipal() user: UserPrincipal, @Param('id', UUID) id: string, @Body() body: AcceptCaseDto) {
    return this.actions.act(id, 'accept', body, user);
  }

  @Post(':id/respond')
  @ActionRoles('respond')
  @HttpCode(200)
  @ApiOperation({ summary: '联系评价人/回访核实 (unit_operator): → RESPONDED; on time when contactedAt ≤ responseDueAt' })
  @ApiOkResponse({ type: CaseResponseDto, description: 'The case as it now stands' })
  @ApiProblems(404, 409)
  respond(@CurrentPrincipal() user: UserPrincipal, @Param('id', UUID) id: string, @Body() body: RespondCaseDto) {
    return this.actions.act(id, 'respond', body, user);
  }

  @Post(':id/rectify')
  @ActionRoles('rectify')
  @HttpCode(200)
  @ApiOperation({ summary: '整改 or 情况说明 (unit_operator): RESPONDED → RECTIFIED' })
  @ApiOkResponse({ type: CaseResponseDto, description: 'The case as it now stands' })
  @ApiProblems(404, 409)
  rectify(@CurrentPrincipal() user: UserPrincipal, @Param('id', UUID) id: string, @Body() body: RectifyCaseDto) {
    return this.actions.act(id, 'rectify', body, user);
  }

  @Post(':id/feedback')
  @ActionRoles('feedback')
  @HttpCode(200)
  @ApiOperation({ summary: '反馈评价人 (unit_operator): satisfied → CLOSED, else back to RESPONDED (reopened)' })
  @ApiOkResponse({ type: CaseResponseDto, description: 'The case as it now stands' })
  @ApiProblems(404, 409)
  feedback(@CurrentPrincipal() user: UserPrincipal, @Param('id', UUID) id: string, @Body() body: FeedbackCaseDto) {
    return this.actions.act(id, 'feedback', body, user);
  }

  @Post(':id/request-extension')
  @ActionRoles('request-extension')
  @HttpCode(200)
  @ApiOperation({ summary: '延期申请 (unit_operator): once, to at most 15 working days after opening' })
  @ApiOkResponse({ type: CaseResponseDto, description: 'The case as it now stands' })
  @ApiProblems(404, 409)
  requestExtension(@CurrentPrincipal() user: UserPrincipal, @Param('id', UUID) id: string, @Body() body: RequestExtensionDto) {
    return this.actions.act(id, 'request-extension', body, user);
  }

  @Post(':id/decide-extension')
  @ActionRoles('decide-extension')
  @HttpCode(200)
  @ApiOperation({ summary: '延期审批 (supervisor): approval moves rectifyDueAt' })
  @ApiOkResponse({ type: CaseResponseDto, description: 'The case as it now stands' })
  @ApiProblems(404, 409)
  decideExtension(@CurrentPrincipal() user: UserPrincipal, @Param('id', UUID) id: string, @Body() body: DecideExtensionDto) {
    return this.actions.act(id, 'decide-extension', body, user);
  }

  @Post(':id/appeal')
  @ActionRoles('appeal')
  @HttpCode(200)
  @ApiOperation({ summary: '申诉 (unit_operator): ACCEPTED/RESPONDED → APPEALING, once per case' })
  @ApiOkResponse({ type: CaseResponseDto, description: 'The case as it now stands' })
  @ApiProblems(404, 409)
  appeal(@CurrentPrincipal() user: UserPrincipal, @Param('id', UUID) id: string, @Body() body: AppealCaseDto) {
    return this.actions.act(id, 'appeal', body, user);
  }

  @Post(':id/decide-appeal')
  @ActionRoles('decide-appeal')
  @HttpCode(200)
  @ApiOperation({ summary: '申诉裁定 (supervisor): upheld → CLOSED (APPEAL_UPHELD), else back to the prior state' })
  @ApiOkResponse({ type: CaseResponseDto, description: 'The case as it now stands' })
  @ApiProblems(404, 409)
  decideAppeal(@CurrentPrincipal() user: UserPrincipal, @Param('id', UUID) id: string, @Body() body: DecideAppealDto) {
    return this.actions.act(id, 'decide-appeal', body, user);
  }

  @Post(':id/urge')
  @ActionRoles('urge')
  @HttpCode(200)
  @ApiOperation({ summary: '督办 (supervisor)' })
  @ApiOkResponse({ type: CaseResponseDto, description: 'The case as it now stands' })
  @ApiProblems(404, 409)
  urge(@CurrentPrincipal() user: UserPrincipal, @Param('id', UUID) id: string, @Body() body: UrgeCaseDto) {
    return this.actions.act(id, 'urge', body, user);
  }

  @Post(':id/reveal-contact')
  @Roles('unit_operator')
  @HttpCode(200)
  @ApiOperation({
    summary:
      "The reviewer's unmasked contact, and the originals of free text (comment, content, description, case notes) whose phone or ID-card numbers are masked elsewhere: { name, phone, freeText, notes }. For the case unit's operator only, with a reason (2–200 characters); recorded in the timeline and the audit log",
    description:
      '`reason` is required (400 without it). PERSONAL_DATA_RETENTION_DAYS (default 180) after the case closed, the retention ' +
      'sweep erases the contact (the case then shows contact.erasedAt and a timeline entry 已按期删除): a reveal afterwards → ' +
      '410 PERSONAL_DATA_ERASED, naming when it was erased.',
  })
  @ApiOkResponse({ type: RevealedContactDto })
  @ApiProblems(400, 404, 410)
  revealContact(@CurrentPrincipal() user: UserPrincipal, @Param('id', UUID) id: string, @Body() body: RevealContactDto) {
    return this.actions.revealContact(id, user, body.reason);
  }
}
