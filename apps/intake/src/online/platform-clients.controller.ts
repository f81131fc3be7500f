import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, CurrentPrincipal, type UserPrincipal } from '#libs/auth';
import { ApiProblems } from '#libs/platform';
import { AuditService } from '../accounts/audit.service.js';
import { CreatePlatformClientDto } from '../registry/dto/registry.dto.js';
import { PlatformClientResponseDto, RegisteredPlatformClientDto } from '../registry/dto/registry.response.js';
import { HotlineClientsService } from '../registry/hotline-clients.service.js';
import type { HotlineClientEntity } from '../registry/registry.entities.js';
import { ParseIdPipe } from '#libs/common';

/** What the audit log keeps of a platform client (never its secret). */
const auditDetail = (c: HotlineClientEntity) => ({ clientId: c.id, name: c.name, channel: c.channel, callbackUrl: c.callbackUrl });

/** Platform clients (online, provincial): signed clients of the one registry, registered and revoked by admins, audited. */
@ApiTags('registry')
@Auth('admin')
@ApiProblems(401, 403)
@Controller('platform-clients')
export class PlatformClientsController {
  constructor(
    private readonly clients: HotlineClientsService,
    private readonly audit: AuditService,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Register a platform client (ONLINE or PROVINCE); the secret is returned once only (audited)' })
  @ApiCreatedResponse({ type: RegisteredPlatformClientDto })
  @ApiProblems(400)
  register(@CurrentPrincipal() user: UserPrincipal, @Body() dto: CreatePlatformClientDto) {
    return this.clients.registerPlatformClient(dto, (manager, client) =>
      this.audit.recordBy(user, 'PLATFORM_CLIENT_REGISTERED', auditDetail(client), manager),
    );
  }

  @Get()
  @ApiOperation({ summary: 'List platform clients (no secrets)' })
  @ApiOkResponse({ type: [PlatformClientResponseDto] })
  list() {
    return this.clients.listPlatformClients();
  }

  @Post(':clientId/revoke')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke a platform client: its signed requests are refused (401 DEVICE_REVOKED) (audited)' })
  @ApiOkResponse({ type: PlatformClientResponseDto })
  @ApiProblems(400, 404)
  revoke(@CurrentPrincipal() user: UserPrincipal, @Param('clientId', new ParseIdPipe()) clientId: string) {
    return this.clients.revokePlatformClient(clientId, (manager, client) =>
      this.audit.recordBy(user, 'PLATFORM_CLIENT_REVOKED', auditDetail(client), manager),
    );
  }
}
