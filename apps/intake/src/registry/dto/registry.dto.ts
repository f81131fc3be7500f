import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, IsUrl, Length, Matches, MaxLength, ValidateIf } from 'class-validator';
import { PLATFORM_CHANNELS, type PlatformChannel } from '#libs/auth';
import { IsNotBlank } from '#libs/common';

export class CreateUnitDto {
  @ApiProperty({ example: 'CN-01', description: 'Unit code: letters, digits, dot, dash, underscore' })
  @Matches(/^[A-Za-z0-9._-]{1,32}$/, { message: 'must be 1–32 letters, digits, dots, dashes or underscores' })
  code: string;

  @ApiProperty({ example: '区市场监督管理局' })
  @IsString()
  @Length(1, 100)
  @IsNotBlank()
  name: string;
}

/**
 * PATCH /units/{code}: a new name, and/or disabled (true) or enabled again (false). The code never changes.
 * `regionCode` (API.md § Regions) is refused like any unknown field until regions exist. A field may be left
 * out; null is not a value of either.
 */
export class UpdateUnitDto {
  @ApiPropertyOptional({ example: '区市场监督管理局', description: 'The new name; the code stays' })
  @ValidateIf((o: UpdateUnitDto) => o.name !== undefined)
  @IsString()
  @Length(1, 100)
  @IsNotBlank()
  name?: string;

  @ApiPropertyOptional({
    description:
      'true disables the unit (its history stays; new ratings, reports, devices and pairing for it are refused with 409 UNIT_DISABLED); false enables it again',
  })
  @ValidateIf((o: UpdateUnitDto) => o.disabled !== undefined)
  @IsBoolean()
  disabled?: boolean;
}

export class CreateDeviceDto {
  @ApiProperty({ example: 'CN-01' })
  @IsString()
  @Length(1, 32)
  @IsNotBlank()
  unitCode: string;

  @ApiProperty({ example: 'A03' })
  @IsString()
  @Length(1, 32)
  @IsNotBlank()
  windowNo: string;

  @ApiPropertyOptional({ example: '3号窗口评价器' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  label?: string;
}

export class ListDevicesQuery {
  @ApiPropertyOptional({ example: 'CN-01' })
  @IsOptional()
  @IsString()
  @Length(1, 32)
  @IsNotBlank()
  unitCode?: string;
}

export class CreateHotlineClientDto {
  @ApiProperty({ example: '区12345热线' })
  @IsString()
  @Length(1, 100)
  @IsNotBlank()
  name: string;

  @ApiPropertyOptional({ example: 'https://hotline.example.gov.cn/callbacks/review' })
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  callbackUrl?: string;
}

/** POST /platform-clients: a platform that pushes ratings — the online platform (一网通办) or the provincial one. */
export class CreatePlatformClientDto {
  @ApiProperty({ example: '一网通办平台' })
  @IsString()
  @Length(1, 100)
  @IsNotBlank()
  name: string;

  @ApiProperty({
    enum: PLATFORM_CHANNELS,
    example: 'ONLINE',
    description: 'ONLINE: pushes online ratings; PROVINCE: the provincial platform',
  })
  @IsIn(PLATFORM_CHANNELS, { message: `must be one of ${PLATFORM_CHANNELS.join(', ')}` })
  channel: PlatformChannel;

  @ApiPropertyOptional({ example: 'https://online.example.gov.cn/callbacks/review' })
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  callbackUrl?: string;
}
