import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth } from '#libs/auth';
import { CreateDeviceDto, CreateHotlineClientDto, CreateUnitDto, ListDevicesQuery } from './dto/registry.dto.js';
import { RegistryService } from './registry.service.js';

@ApiTags('registry')
@Auth('admin')
@Controller()
export class RegistryController {
  constructor(private readonly registry: RegistryService) {}

  @Post('units')
  @ApiOperation({ summary: 'Register a unit (单位)' })
  createUnit(@Body() dto: CreateUnitDto) {
    return this.registry.createUnit(dto);
  }

  @Get('units')
  @Auth('admin', 'supervisor')
  listUnits() {
    return this.registry.listUnits();
  }

  @Post('devices')
  @ApiOperation({ summary: 'Register a window PAD; the secret is returned once only' })
  registerDevice(@Body() dto: CreateDeviceDto) {
    return this.registry.registerDevice(dto);
  }

  @Post('devices/:deviceId/revoke')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke a PAD: its signed requests are refused (401 DEVICE_REVOKED)' })
  revokeDevice(@Param('deviceId', new ParseUUIDPipe()) deviceId: string) {
    return this.registry.revokeDevice(deviceId);
  }

  @Get('devices')
  @ApiOperation({ summary: 'List devices, optionally of one unit (never with secrets)' })
  listDevices(@Query() query: ListDevicesQuery) {
    return this.registry.listDevices(query.unitCode);
  }

  @Post('hotline-clients')
  @ApiOperation({ summary: 'Register a 12345 hotline client; the secret is returned once only' })
  registerHotlineClient(@Body() dto: CreateHotlineClientDto) {
    return this.registry.registerHotlineClient(dto);
  }

  @Get('hotline-clients')
  @ApiOperation({ summary: 'List hotline clients (no secrets)' })
  listHotlineClients() {
    return this.registry.listHotlineClients();
  }

  @Post('hotline-clients/:clientId/revoke')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke a hotline client: its signed requests are refused (401 DEVICE_REVOKED)' })
  revokeHotlineClient(@Param('clientId', new ParseUUIDPipe()) clientId: string) {
    return this.registry.revokeHotlineClient(clientId);
  }
}
