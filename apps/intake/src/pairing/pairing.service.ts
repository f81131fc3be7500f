import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { UserPrincipal } from '#libs/auth';
import { DataCipher, DomainError, ErrorCode, TokenBuckets } from '#libs/common';

import { auditSummaries } from '../accounts/audit-summary.js';
import { writeAdminAudit } from '../accounts/audit-writer.js';
import { DeviceEntity } from '../registry/registry.entities.js';
import { DevicesService } from '../registry/devices.service.js';
import { assertUnitEnabled, UnitsService } from '../registry/units.service.js';
import type { PairedDeviceDto, PairingCodeDto } from './dto/pairing.dto.js';
import { PairingCodeEntity } from './pairing-code.entity.js';
import { generatePairingCode, normalizePairingCode, PAIRING_CODE_TTL_MS, pairingCodeHash, pairingCodeState } from './pairing-code.js';

/** Exchange attempts per caller address: a few typos are fine, guessing 31⁸ codes is not. */
const EXCHANGE_RATE_PER_SECOND = 0.2;
const EXCHANGE_BURST = 10;

/**
 * Pairing a PAD page with its registered device: an admin issues a one-time code, the
 * page exchanges it for the device's credentials. The exchange rotates the device's secret,
 * so every secret is still shown exactly once and a code cannot be replayed.
 */
@Injectable()
export class PairingService {
  private readonly attempts = new TokenBuckets({ ratePerSecond: EXCHANGE_RATE_PER_SECOND, capacity: EXCHANGE_BURST });

  constructor(
    private readonly dataSource: DataSource,
    private readonly devices: DevicesService,
    private readonly units: UnitsService,
    private readonly cipher: DataCipher,
  ) {}

  /** A new code for the device; any earlier unused code of it stops working. */
  async issue(admin: UserPrincipal, deviceId: string, now = new Date()): Promise<PairingCodeDto> {
    const code = generatePairingCode();
    const expiresAt = new Date(now.getTime() + PAIRING_CODE_TTL_MS);
    await this.dataSource.transaction(async (manager) => {
      const device = await manager.findOne(DeviceEntity, { where: { id: deviceId }, lock: { mode: 'pessimistic_write' } });
      if (!device) throw DomainError.notFound(`Device ${deviceId}`);
      if (device.revokedAt) throw new DomainError(ErrorCode.Conflict, 'This device is revoked: register a new device to pair a PAD.');
      assertUnitEnabled(await this.units.requireUnit(device.unitCode));
      await manager
        .createQueryBuilder()
        .update(PairingCodeEntity)
        .set({ supersededAt: now })
        .where('device_id = :deviceId AND used_at IS NULL AND superseded_at IS NULL', { deviceId })
        .execute();
      await manager.insert(PairingCodeEntity, {
        codeHash: pairingCodeHash(code),
        deviceId,
        createdBy: admin.sub,
        createdAt: now,
        expiresAt,
        usedAt: null,
        supersededAt: null,
      });
      await writeAdminAudit(
        manager,
        admin,
        'PAIRING_CODE_ISSUED',
        auditSummaries.pairingCodeIssued(device.unitCode, device.windowNo, expiresAt),
        {
          deviceId,
          unitCode: device.unitCode,
          windowNo: device.windowNo,
          expiresAt: expiresAt.toISOString(),
        },
      );
    });
    return { code, deviceId, expiresAt: expiresAt.toISOString() };
  }

  /** Exchanges a code for the device's credentials, once. */
  async exchange(rawCode: string, caller: string, now = new Date()): Promise<PairedDeviceDto> {
    const allowed = this.attempts.take(caller);
    if (!allowed.allowed) {
      throw new DomainError(ErrorCode.RateLimited, 'Too many pairing attempts; wait a minute and try again.', [], {
        'Retry-After': String(allowed.retryAfterSeconds),
      });
    }
    const code = normalizePairingCode(rawCode);
    if (!code) throw DomainError.validation([{ field: 'code', message: 'must be 8 letters and digits, e.g. 7KQ4-M9TX' }]);
    const secret = randomBytes(32).toString('base64url');
    const paired = await this.dataSource.transaction(async (manager) => {
      const stored = await manager.findOne(PairingCodeEntity, {
        where: { codeHash: pairingCodeHash(code) },
        lock: { mode: 'pessimistic_write' },
      });
      if (!stored)
        throw new DomainError(ErrorCode.PairingCodeInvalid, 'No such pairing code: check it, or ask the administrator for a new one.');
      const device = await manager.findOne(DeviceEntity, { where: { id: stored.deviceId }, lock: { mode: 'pessimistic_write' } });
      if (!device) throw new DomainError(ErrorCode.PairingCodeInvalid, 'No such pairing code.');
      if (device.revokedAt)
        throw new DomainError(ErrorCode.DeviceRevoked, 'This device has been revoked: ask the administrator for a new device and code.');
      switch (pairingCodeState(stored, now)) {
        case 'used':
          throw new DomainError(ErrorCode.PairingCodeUsed, 'This pairing code has already been used: ask the administrator for a new one.');
        case 'superseded':
          throw new DomainError(ErrorCode.PairingCodeExpired, 'A newer pairing code was issued for this device: use that one.');
        case 'expired':
          throw new DomainError(
            ErrorCode.PairingCodeExpired,
            'This pairing code has expired (codes are valid 15 minutes): ask for a new one.',
          );
        case 'valid':
          break;
      }
      // A disabled unit's PAD cannot pair; the code stays unused, for when the unit is enabled again.
      assertUnitEnabled(await this.units.requireUnit(device.unitCode));
      stored.usedAt = now;
      await manager.save(stored);
      device.secretSealed = this.cipher.seal(secret);
      device.pairedAt = now;
      await manager.save(device);
      return device;
    });
    this.devices.forgetDeviceCredential(paired.id);
    const unit = await this.units.findUnit(paired.unitCode);
    return {
      deviceId: paired.id,
      secret,
      unitCode: paired.unitCode,
      unitName: unit?.name ?? paired.unitCode,
      windowNo: paired.windowNo,
      label: paired.label,
    };
  }
}
