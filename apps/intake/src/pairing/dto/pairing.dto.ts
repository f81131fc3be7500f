import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';

export class PairingCodeDto {
  @ApiProperty({ example: '7KQ4M9TX', description: '8 characters of 23456789ABCDEFGHJKMNPQRSTUVWXYZ, shown once to the admin' })
  code: string;

  @ApiProperty({ format: 'uuid' })
  deviceId: string;

  @ApiProperty({ example: '2026-12-01T10:15:00.000Z', description: 'Valid until then (15 minutes), and for one exchange only' })
  expiresAt: string;
}

export class ExchangePairingCodeDto {
  @ApiProperty({ example: '7KQ4-M9TX', description: 'The pairing code; case, spaces and dashes do not matter' })
  @IsString()
  @MaxLength(32)
  code: string;
}

export class PairedDeviceDto {
  @ApiProperty({ format: 'uuid' })
  deviceId: string;

  @ApiProperty({ description: 'A new HMAC secret for X-Signature (the one shown at registration stops working); returned once only' })
  secret: string;

  @ApiProperty({ example: 'CN-01' })
  unitCode: string;

  @ApiProperty({ example: '区市场监督管理局' })
  unitName: string;

  @ApiProperty({ example: 'A03' })
  windowNo: string;

  @ApiPropertyOptional({ example: '3号窗口评价器', nullable: true, type: String })
  label: string | null;
}
