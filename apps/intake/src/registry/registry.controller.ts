import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, CurrentPrincipal, type UserPrincipal } from '#libs/auth';
import { ApiProblems } from '#libs/platform';
import { DevicesService } from './devices.service.js';
import { CreateDeviceDto, CreateHotlineClientDto, CreateUnitDto, ListDevicesQuery, UpdateUnitDto } from './dto/registry.dto.js';
import {
  DeviceResponseDto,
  HotlineClientResponseDto,
  RegisteredDeviceDto,
  RegisteredHotlineClientDto,
  UnitResponseDto,
} from './dto/registry.response.js';
import { HotlineClientsService } from './hotline-clients.service.js';
import { UnitsService } from './units.service.js';
import { ParseIdPipe } from '#libs/common';

@ApiTags('registry')
@Auth('admin')
@ApiProblems(401, 403)
@Controller()
export class RegistryController {
  constructor(
    private readonly units: UnitsService,
    private readonly devices: DevicesService,
    private readonly hotlineClients: HotlineClientsService,
  ) {}

  @Post('units')
  @ApiOperation({ summary: 'Register a unit (单位)' })
  @ApiCreatedResponse({ type: UnitResponseDto })
  @ApiProblems(400, 409)
  async createUnit(@CurrentPrincipal() admin: UserPrincipal, @Body() dto: CreateUnitDto): Promise<UnitResponseDto> {
    return UnitResponseDto.fromEntity(await this.units.createUnit(admin, dto));
  }

  @Patch('units/:code')
  @ApiOperation({
    summary: 'Rename a unit, disable it or enable it again (the code stays; a disabled unit keeps its history)',
    description:
      'A disabled unit accepts nothing new: ratings of its devices and of every channel, 12345 transfers, 办不成事 reports, imports, new devices and pairing are refused with 409 UNIT_DISABLED until it is enabled again. `regionCode` is refused (400) until regions exist. Audited (UNIT_UPDATED); other services learn the change from gov.unit.updated.',
  })
  @ApiOkResponse({ type: UnitResponseDto })
  @ApiProblems(400, 404)
  async updateUnit(
    @CurrentPrincipal() admin: UserPrincipal,
    @Param('code') code: string,
    @Body() dto: UpdateUnitDto,
  ): Promise<UnitResponseDto> {
    return UnitResponseDto.fromEntity(await this.units.updateUnit(admin, code, dto));
  }

  @Get('units')
  @Auth('admin', 'supervisor')
  @ApiOperation({ summary: 'List the registered units' })
  @ApiOkResponse({ type: [UnitResponseDto] })
  async listUnits(): Promise<UnitResponseDto[]> {
    return (await this.units.listUnits()).map((u) => UnitResponseDto.fromEntity(u));
  }

  @Post('devices')
  @ApiOperation({ summary: 'Register a window PAD; the secret is returned once only' })
  @ApiCreatedResponse({ type: RegisteredDeviceDto })
  @ApiProblems(400)
  registerDevice(@CurrentPrincipal() admin: UserPrincipal, @Body() dto: CreateDeviceDto) {
    return this.devices.registerDevice(admin, dto);
  }

  @Post('devices/:deviceId/revoke')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke a PAD: its signed requests are refused (401 DEVICE_REVOKED)' })
  @ApiOkResponse({ type: DeviceResponseDto })
  @ApiProblems(400, 404)
  revokeDevice(@CurrentPrincipal() admin: UserPrincipal, @Param('deviceId', new ParseIdPipe()) deviceId: string) {
    return this.devices.revokeDevice(admin, deviceId);
  }

  @Get('devices')
  @ApiOperation({ summary: 'List devices, optionally of one unit (never with secrets)' })
  @ApiOkResponse({ type: [DeviceResponseDto] })
  @ApiProblems(400)
  listDevices(@Query() query: ListDevicesQuery) {
    return this.devices.listDevices(query.unitCode);
  }

  @Post('hotline-clients')
  @ApiOperation({ summary: 'Register a 12345 hotline client; the secret is returned once only' })
  @ApiCreatedResponse({ type: RegisteredHotlineClientDto })
  @ApiProblems(400)
  registerHotlineClient(@CurrentPrincipal() admin: UserPrincipal, @Body() dto: CreateHotlineClientDto) {
    return this.hotlineClients.registerHotlineClient(admin, dto);
  }

  @Get('hotline-clients')
  @ApiOperation({ summary: 'List hotline clients (no secrets)' })
  @ApiOkResponse({ type: [HotlineClientResponseDto] })
  listHotlineClients() {
    return this.hotlineClients.listHotlineClients();
  }

  @Post('hotline-clients/:clientId/revoke')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke a hotline client: its signed requests are refused (401 DEVICE_REVOKED)' })
  @ApiOkResponse({ type: HotlineClientResponseDto })
  @ApiProblems(400, 404)
  revokeHotlineClient(@CurrentPrincipal() admin: UserPrincipal, @Param('clientId', new ParseIdPipe()) clientId: string) {
    return this.hotlineClients.revokeHotlineClient(admin, clientId);
  }
}
