import { Body, Controller, Get, HttpCode, Ip, Param, Patch, Post, Query, Res, StreamableFile } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Auth, CurrentPrincipal, type UserPrincipal } from '#libs/auth';
import { ApiProblems } from '#libs/platform';
import { AccountsService } from './accounts.service.js';
import { auditToCsv, auditToXlsx } from './audit-export.js';
import { AuditService } from './audit.service.js';
import {
  AuditPageDto,
  AuditQuery,
  ChangePasswordDto,
  CreateUserDto,
  LoginDto,
  MeDto,
  PeopleNamesDto,
  PeopleNamesQuery,
  RefreshDto,
  ResetPasswordDto,
  TokenResponseDto,
  UpdateUserDto,
  UserDto,
} from './dto/accounts.dto.js';
import { UsersService } from './users.service.js';
import { ParseIdPipe } from '#libs/common';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly accounts: AccountsService) {}

  @Post('login')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Sign in: a 15-minute access token and a refresh token. 401 INVALID_CREDENTIALS (the same for every name); 429 RATE_LIMITED with Retry-After after 5 failures of one name from one address, or 50 from one address, in 15 minutes; 403 PASSWORD_CHANGE_REQUIRED for a one-time password',
  })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiProblems(400, 401, 429)
  login(@Body() dto: LoginDto, @Ip() ip: string) {
    return this.accounts.login(dto, ip);
  }

  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange a refresh token (single use) for new tokens, with the role and unit as they stand now' })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiProblems(400, 401)
  refresh(@Body() dto: RefreshDto, @Ip() ip: string) {
    return this.accounts.refresh(dto, ip);
  }

  @Post('logout')
  @HttpCode(204)
  @ApiOperation({ summary: "Revoke the login's refresh token; its access tokens stop working on every service within 10 s" })
  @ApiNoContentResponse()
  @ApiProblems(400)
  logout(@Body() dto: RefreshDto, @Ip() ip: string) {
    return this.accounts.logout(dto, ip);
  }

  @Post('password')
  @HttpCode(200)
  @ApiOperation({ summary: 'Change the password (also the one-time password at first login) and sign in' })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiProblems(400, 401, 429)
  changePassword(@Body() dto: ChangePasswordDto, @Ip() ip: string) {
    return this.accounts.changePassword(dto, ip);
  }

  @Get('me')
  @Auth('admin', 'supervisor', 'unit_operator')
  @ApiOperation({ summary: "The bearer's identity (also for tokens of an external issuer)" })
  @ApiOkResponse({ type: MeDto })
  @ApiProblems(401, 403)
  me(@CurrentPrincipal() principal: UserPrincipal) {
    return this.accounts.me(principal);
  }
}

@ApiTags('users')
@Controller('people')
export class PeopleController {
  constructor(private readonly users: UsersService) {}

  @Get('names')
  @Auth('admin', 'supervisor', 'unit_operator')
  @ApiOperation({
    summary:
      'The display names of console accounts by id (any signed-in person): the console shows who acted on a case, published a quarter or viewed a contact by name, never by id',
  })
  @ApiOkResponse({ type: PeopleNamesDto })
  @ApiProblems(400, 401, 403)
  names(@Query() query: PeopleNamesQuery) {
    return this.users.names(query.ids.split(','));
  }
}

@ApiTags('users')
@Auth('admin')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOperation({ summary: 'Console accounts (admin)' })
  @ApiOkResponse({ type: [UserDto] })
  @ApiProblems(401, 403)
  list() {
    return this.users.list();
  }

  @Post()
  @ApiOperation({ summary: 'Create an account with a one-time password (admin)' })
  @ApiCreatedResponse({ type: UserDto })
  @ApiProblems(400, 401, 403, 409)
  create(@Body() dto: CreateUserDto, @CurrentPrincipal() actor: UserPrincipal, @Ip() ip: string) {
    return this.users.create(dto, actor, ip);
  }

  @Patch(':id')
  @ApiOperation({
    summary:
      'Change name, role, unit or disable an account (admin); its access tokens stop working on every service within 10 s (a new role or unit: refresh). 409 LAST_ADMIN',
  })
  @ApiOkResponse({ type: UserDto })
  @ApiProblems(400, 401, 403, 404, 409)
  update(
    @Param('id', new ParseIdPipe()) id: string,
    @Body() dto: UpdateUserDto,
    @CurrentPrincipal() actor: UserPrincipal,
    @Ip() ip: string,
  ) {
    return this.users.update(id, dto, actor, ip);
  }

  @Post(':id/unlock')
  @HttpCode(200)
  @ApiOperation({ summary: "Forget an account's failed logins from every address, so its owner may sign in at once (admin, audited)" })
  @ApiOkResponse({ type: UserDto })
  @ApiProblems(400, 401, 403, 404)
  unlock(@Param('id', new ParseIdPipe()) id: string, @CurrentPrincipal() actor: UserPrincipal, @Ip() ip: string) {
    return this.users.unlock(id, actor, ip);
  }

  @Post(':id/reset-password')
  @HttpCode(200)
  @ApiOperation({ summary: 'Set a one-time password, unlock the account and end its logins (admin)' })
  @ApiOkResponse({ type: UserDto })
  @ApiProblems(400, 401, 403, 404)
  resetPassword(
    @Param('id', new ParseIdPipe()) id: string,
    @Body() dto: ResetPasswordDto,
    @CurrentPrincipal() actor: UserPrincipal,
    @Ip() ip: string,
  ) {
    return this.users.resetPassword(id, dto, actor, ip);
  }
}

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

@ApiTags('audit')
@ApiExtraModels(AuditPageDto)
@Auth('admin')
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({
    summary:
      'The audit log of every admin action and every reveal of personal data (the three services), newest first, with names ' +
      'and a Chinese summary (admin); filter by action and Asia/Shanghai days; `format=csv|xlsx` downloads every selected entry',
  })
  @ApiOkResponse({
    description: 'A page of entries; `format=csv|xlsx` downloads them',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(AuditPageDto) } },
      'text/csv': { schema: { type: 'string' } },
      [XLSX_TYPE]: { schema: { type: 'string', format: 'binary' } },
    },
  })
  @ApiProblems(400, 401, 403)
  async list(@Query() query: AuditQuery, @Res({ passthrough: true }) res: FastifyReply) {
    if (!query.format || query.format === 'json') return this.audit.list(query);
    const entries = await this.audit.all(query);
    res.header('Content-Disposition', `attachment; filename="audit-log.${query.format}"`);
    return query.format === 'csv'
      ? new StreamableFile(auditToCsv(entries), { type: 'text/csv; charset=utf-8' })
      : new StreamableFile(await auditToXlsx(entries), { type: XLSX_TYPE });
  }
}
