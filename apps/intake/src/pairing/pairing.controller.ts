import { Body, Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Auth, CurrentPrincipal, type UserPrincipal } from '#libs/auth';
import { ApiProblems } from '#libs/platform';
import { ExchangePairingCodeDto, PairedDeviceDto, PairingCodeDto } from './dto/pairing.dto.js';
import { PairingService } from './pairing.service.js';
import { ParseIdPipe } from '#libs/common';

@ApiTags('pairing')
@Controller()
export class PairingController {
  constructor(private readonly pairing: PairingService) {}

  @Post('devices/:deviceId/pairing-codes')
  @Auth('admin')
  @ApiOperation({
    summary: 'Issue a one-time pairing code for a PAD (8 characters, valid 15 minutes, usable once; an earlier unused code stops working)',
    description: 'A revoked device gets no code (409 CONFLICT).',
  })
  @ApiCreatedResponse({ type: PairingCodeDto })
  @ApiProblems(400, 401, 403, 404, 409)
  issue(@CurrentPrincipal() admin: UserPrincipal, @Param('deviceId', new ParseIdPipe()) deviceId: string): Promise<PairingCodeDto> {
    return this.pairing.issue(admin, deviceId);
  }

  @Post('pairing/exchange')
  @HttpCode(200)
  @ApiOperation({
    summary: "Exchange a pairing code for the device's credentials (no authentication: the code is the credential)",
    description:
      'The device gets a new secret, returned here once; the one shown at registration stops working. ' +
      'Unknown code → 404 PAIRING_CODE_INVALID; used → 410 PAIRING_CODE_USED; expired or superseded → 410 PAIRING_CODE_EXPIRED; ' +
      'device revoked → 401 DEVICE_REVOKED; more than a few attempts a minute from one address → 429 RATE_LIMITED.',
  })
  @ApiOkResponse({ type: PairedDeviceDto })
  @ApiProblems(400, 401, 404, 410, 429)
  exchange(@Body() dto: ExchangePairingCodeDto, @Req() req: FastifyRequest): Promise<PairedDeviceDto> {
    return this.pairing.exchange(dto.code, req.ip);
  }
}
