import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, DeviceAuth, type DevicePrincipal } from '#libs/auth';
import { ApiProblems } from '#libs/platform';
import { RateLimited } from '../rate-limit/rate-limit.guard.js';
import { DevicesService } from '../registry/devices.service.js';
import { UnitsService } from '../registry/units.service.js';
import { HeartbeatDto, HeartbeatReplyDto } from './dto/heartbeat.dto.js';
import { HEARTBEAT_INTERVAL_MS } from './heartbeat.js';

@ApiTags('pad')
@Controller('pad')
export class PadController {
  constructor(
    private readonly devices: DevicesService,
    private readonly units: UnitsService,
  ) {}

  @Post('heartbeat')
  @HttpCode(200)
  @RateLimited()
  @DeviceAuth()
  @ApiOperation({
    summary: 'The PAD page reports it is alive, with its offline queue length and app version (shown in GET /devices)',
    description: 'A revoked device gets 401 DEVICE_REVOKED, which the page shows as 设备已停用.',
  })
  @ApiOkResponse({ type: HeartbeatReplyDto })
  @ApiProblems(400, 401, 429)
  async heartbeat(@CurrentPrincipal() device: DevicePrincipal, @Body() dto: HeartbeatDto): Promise<HeartbeatReplyDto> {
    await this.devices.touchDevice(device.deviceId, {
      queueLength: dto.queueLength,
      rejectedCount: dto.rejectedCount ?? 0,
      appVersion: dto.appVersion,
    });
    const [stored, unit] = await Promise.all([this.devices.requireDevice(device.deviceId), this.units.findUnit(device.unitCode)]);
    return {
      serverTime: new Date().toISOString(),
      nextHeartbeatInMs: HEARTBEAT_INTERVAL_MS,
      device: {
        deviceId: stored.id,
        unitCode: stored.unitCode,
        unitName: unit?.name ?? stored.unitCode,
        windowNo: stored.windowNo,
        label: stored.label,
      },
    };
  }
}
