import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';

export class HeartbeatDto {
  @ApiProperty({ example: 0, description: 'Ratings waiting in the offline queue' })
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  queueLength: number;

  @ApiPropertyOptional({ example: 0, description: 'Ratings the server rejected, kept aside with their reasons' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  rejectedCount?: number;

  @ApiProperty({ example: '1.0.0' })
  @IsString()
  @Length(1, 32)
  appVersion: string;
}

export class PadDeviceDto {
  @ApiProperty({ format: 'uuid' })
  deviceId: string;

  @ApiProperty({ example: 'CN-01' })
  unitCode: string;

  @ApiProperty({ example: '区市场监督管理局' })
  unitName: string;

  @ApiProperty({ example: 'A03' })
  windowNo: string;

  @ApiPropertyOptional({ nullable: true, type: String })
  label: string | null;
}

export class HeartbeatReplyDto {
  @ApiProperty({ description: 'Server time: the page keeps X-Timestamp within 300 s of it even when the PAD clock drifts' })
  serverTime: string;

  @ApiProperty({ example: 30000, description: 'When to send the next heartbeat' })
  nextHeartbeatInMs: number;

  @ApiProperty({ type: PadDeviceDto })
  device: PadDeviceDto;
}
