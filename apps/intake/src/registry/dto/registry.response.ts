import { ApiProperty } from '@nestjs/swagger';
import type { PlatformChannel } from '#libs/auth';
import { isDeviceOnline } from '../../pad/heartbeat.js';
import type { DeviceEntity, HotlineClientEntity, UnitEntity } from '../registry.entities.js';

export class UnitResponseDto {
  @ApiProperty({ example: 'CN-01' }) code: string;
  @ApiProperty({ example: '区市场监督管理局' }) name: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ description: 'Disabled by an admin: nothing new is accepted for it (409 UNIT_DISABLED); its history stays' })
  disabled: boolean;
  @ApiProperty({ type: String, nullable: true, format: 'date-time', description: 'When it was disabled; null while enabled' })
  disabledAt: string | null;

  static fromEntity(u: UnitEntity): UnitResponseDto {
    return {
      code: u.code,
      name: u.name,
      createdAt: u.createdAt.toISOString(),
      disabled: u.disabledAt !== null,
      disabledAt: u.disabledAt?.toISOString() ?? null,
    };
  }
}

/** A PAD device as admins see it (never its secret). */
export class DeviceResponseDto {
  @ApiProperty({ format: 'uuid' }) deviceId: string;
  @ApiProperty({ example: 'CN-01' }) unitCode: string;
  @ApiProperty({ example: 'A01' }) windowNo: string;
  @ApiProperty({ type: String, nullable: true }) label: string | null;
  @ApiProperty() revoked: boolean;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) revokedAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time', description: 'When a PAD page last paired with this device' })
  pairedAt: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time', description: 'The last heartbeat of the PAD page' })
  lastSeenAt: string | null;
  @ApiProperty({ description: 'Heard from within the last three heartbeat intervals' }) online: boolean;
  @ApiProperty({ type: Number, nullable: true, description: "Ratings in the PAD's offline queue at its last heartbeat" })
  queueLength: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Ratings the server rejected that the PAD keeps aside' })
  rejectedCount: number | null;
  @ApiProperty({ type: String, nullable: true }) appVersion: string | null;

  static fromEntity(d: DeviceEntity, now = new Date()): DeviceResponseDto {
    return {
      deviceId: d.id,
      unitCode: d.unitCode,
      windowNo: d.windowNo,
      label: d.label,
      revoked: d.revokedAt !== null,
      revokedAt: d.revokedAt?.toISOString() ?? null,
      createdAt: d.createdAt.toISOString(),
      pairedAt: d.pairedAt?.toISOString() ?? null,
      lastSeenAt: d.lastSeenAt?.toISOString() ?? null,
      online: d.revokedAt === null && isDeviceOnline(d.lastSeenAt, now),
      queueLength: d.queueLength,
      rejectedCount: d.rejectedCount,
      appVersion: d.appVersion,
    };
  }
}

/** A device just registered: its secret, shown this once. */
export class RegisteredDeviceDto {
  @ApiProperty({ format: 'uuid' }) deviceId: string;
  @ApiProperty({ description: 'The HMAC secret (base64url); returned once only' }) secret: string;
  @ApiProperty() unitCode: string;
  @ApiProperty() windowNo: string;
  @ApiProperty({ type: String, nullable: true }) label: string | null;
}

export class HotlineClientResponseDto {
  @ApiProperty({ format: 'uuid' }) clientId: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: String, nullable: true, format: 'uri' }) callbackUrl: string | null;
  @ApiProperty() revoked: boolean;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) revokedAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;

  static fromEntity(c: HotlineClientEntity): HotlineClientResponseDto {
    return {
      clientId: c.id,
      name: c.name,
      callbackUrl: c.callbackUrl,
      revoked: c.revokedAt !== null,
      revokedAt: c.revokedAt?.toISOString() ?? null,
      createdAt: c.createdAt.toISOString(),
    };
  }
}

/** A hotline client just registered: its secret, shown this once. */
export class RegisteredHotlineClientDto {
  @ApiProperty({ format: 'uuid' }) clientId: string;
  @ApiProperty({ description: 'The HMAC secret (base64url); returned once only' }) secret: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: String, nullable: true, format: 'uri' }) callbackUrl: string | null;
}

/** A platform client as listed (never its secret). */
export class PlatformClientResponseDto extends HotlineClientResponseDto {
  @ApiProperty({ enum: ['ONLINE', 'PROVINCE'] }) channel: PlatformChannel;

  static override fromEntity(c: HotlineClientEntity): PlatformClientResponseDto {
    return { ...HotlineClientResponseDto.fromEntity(c), channel: c.channel as PlatformChannel };
  }
}

/** A platform client just registered: its secret, shown this once. */
export class RegisteredPlatformClientDto extends RegisteredHotlineClientDto {
  @ApiProperty({ enum: ['ONLINE', 'PROVINCE'] }) channel: PlatformChannel;
}
