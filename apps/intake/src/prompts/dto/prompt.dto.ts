import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { IsNotBlank } from '#libs/common';
import { FIELD_MAX_LENGTH } from '#libs/contracts';

export class CreatePromptDto {
  @ApiProperty({ example: 'CN-2024-000123', description: 'The service instance to be rated; the PAD rates it under this id' })
  @IsString()
  @Length(1, FIELD_MAX_LENGTH.serviceRecordId)
  @IsNotBlank()
  serviceRecordId: string;

  @ApiProperty({ example: '310105-XK-0001' })
  @IsString()
  @Length(1, FIELD_MAX_LENGTH.serviceItemCode)
  @IsNotBlank()
  serviceItemCode: string;

  @ApiPropertyOptional({ example: '食品经营许可' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  serviceItemName?: string;

  @ApiPropertyOptional({ example: 'E1024', description: 'Shown on the PAD as 工号' })
  @IsOptional()
  @IsString()
  @MaxLength(FIELD_MAX_LENGTH.staffId)
  @IsNotBlank()
  staffId?: string;
}

export class PromptDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  deviceId: string;

  @ApiProperty({ example: 'CN-01' })
  unitCode: string;

  @ApiProperty({ example: 'CN-2024-000123' })
  serviceRecordId: string;

  @ApiProperty({ example: '310105-XK-0001' })
  serviceItemCode: string;

  @ApiPropertyOptional({ example: '食品经营许可', nullable: true, type: String })
  serviceItemName: string | null;

  @ApiPropertyOptional({ example: 'E1024', nullable: true, type: String })
  staffId: string | null;

  @ApiProperty({ example: '2026-12-01T10:00:00.000Z' })
  createdAt: string;

  @ApiProperty({ example: '2026-12-01T10:10:00.000Z', description: 'The PAD stops offering it then (10 minutes)' })
  expiresAt: string;
}
