import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { UserPrincipal } from '#libs/auth';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, type Repository } from 'typeorm';
import { DataCipher, DomainError } from '#libs/common';
import { auditSummaries } from '../accounts/audit-summary.js';
import { writeAdminAudit } from '../accounts/audit-writer.js';
import { DEVICE_REVOKED_CHANNEL } from '../prompts/prompt-rules.js';
import { CredentialResolver } from './credential-resolver.js';
import { DeviceResponseDto, type RegisteredDeviceDto } from './dto/registry.response.js';
import type { CreateDeviceDto } from './dto/registry.dto.js';
import { DeviceEntity } from './registry.entities.js';
import { UnitsService } from './units.service.js';

export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Window PAD devices: registration (the secret shown once), revocation, heartbeats. */
@Injectable()
export class DevicesService {
  constructor(
    @InjectRepository(DeviceEntity) private readonly devices: Repository<DeviceEntity>,
    private readonly units: UnitsService,
    private readonly credentials: CredentialResolver,
    private readonly cipher: DataCipher,
    private readonly dataSource: DataSource,
  ) {}

  /** Registers a PAD and issues its secret; the entry in the audit log commits with it. */
  async registerDevice(admin: UserPrincipal, dto: CreateDeviceDto): Promise<RegisteredDeviceDto> {
    const unit = await this.units.requireEnabledUnit(dto.unitCode, 'unitCode');
    const secret = newSecret();
    const device = await this.dataSource.transaction(async (manager) => {
      const saved = await manager.save(
        manager.create(DeviceEntity, {
          unitCode: dto.unitCode,
          windowNo: dto.windowNo,
          label: dto.label ?? null,
          secretSealed: this.cipher.seal(secret),
        }),
      );
      await writeAdminAudit(manager, admin, 'DEVICE_REGISTERED', auditSummaries.deviceRegistered(unit, saved.windowNo, saved.label), {
        deviceId: saved.id,
        unitCode: saved.unitCode,
        windowNo: saved.windowNo,
      });
      return saved;
    });
    return { deviceId: device.id, secret, unitCode: device.unitCode, windowNo: device.windowNo, label: device.label };
  }

  async revokeDevice(admin: UserPrincipal, deviceId: string): Promise<DeviceResponseDto> {
    const device = await this.dataSource.transaction(async (manager) => {
      const found = await manager.findOne(DeviceEntity, { where: { id: deviceId }, lock: { mode: 'pessimistic_write' } });
      if (!found) throw DomainError.notFound(`Device ${deviceId}`);
      if (!found.revokedAt) {
        found.revokedAt = new Date();
        await manager.save(found);
        await writeAdminAudit(manager, admin, 'DEVICE_REVOKED', auditSummaries.deviceRevoked(found.unitCode, found.windowNo, found.label), {
          deviceId: found.id,
          unitCode: found.unitCode,
          windowNo: found.windowNo,
        });
      }
      return found;
    });
    this.credentials.forget('device', deviceId);
    // Ends the device's open prompt streams on every instance (prompts/prompt-bus.ts).
    await this.dataSource.query(`SELECT pg_notify($1, $2)`, [DEVICE_REVOKED_CHANNEL, deviceId]);
    return DeviceResponseDto.fromEntity(device);
  }

  /** Drops a device's cached credential (its secret was rotated by pairing). */
  forgetDeviceCredential(deviceId: string): void {
    this.credentials.forget('device', deviceId);
  }

  /** Records that the device's page is alive; with a heartbeat, also its queue and app version. */
  async touchDevice(deviceId: string, report?: { queueLength: number; rejectedCount: number; appVersion: string }): Promise<void> {
    await this.devices.update({ id: deviceId }, { lastSeenAt: new Date(), ...(report ?? {}) });
  }

  async requireDevice(deviceId: string): Promise<DeviceEntity> {
    const device = await this.devices.findOneBy({ id: deviceId });
    if (!device) throw DomainError.notFound(`Device ${deviceId}`);
    return device;
  }

  async listDevices(unitCode?: string): Promise<DeviceResponseDto[]> {
    const rows = await this.devices.find({ where: unitCode ? { unitCode } : {}, order: { createdAt: 'ASC' } });
    const now = new Date();
    return rows.map((d) => DeviceResponseDto.fromEntity(d, now));
  }
}
