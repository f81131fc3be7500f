import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsObject, IsOptional, IsString, Length, ValidateNested } from 'class-validator';
import { CitizenDto } from '../../hotline/dto/hotline-complaint.dto.js';
import { IsInstantWithOffset } from '../../shared/validators.js';
import { IsNotBlank } from '#libs/common';
import { FIELD_MAX_LENGTH } from '#libs/contracts';

export class UnresolvedReportDto {
  @ApiProperty({ example: '个体工商户营业执照跨区迁移', description: '办不成的事项' })
  @IsString()
  @Length(1, 200)
  @IsNotBlank()
  matter: string;

  @ApiProperty({ example: '系统不支持跨区迁移，群众多次往返', maxLength: 2000 })
  @IsString()
  @Length(1, 2000)
  @IsNotBlank()
  description: string;

  @ApiPropertyOptional({ example: '310105-XK-0001' })
  @IsOptional()
  @IsString()
  @Length(1, FIELD_MAX_LENGTH.serviceItemCode)
  @IsNotBlank()
  serviceItemCode?: string;

  @ApiPropertyOptional({ type: CitizenDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => CitizenDto)
  citizen?: CitizenDto;

  @ApiProperty({ example: '2024-11-20T09:30:00+08:00', description: 'Starts the case deadline clock' })
  @IsInstantWithOffset()
  reportedAt: string;

  @ApiPropertyOptional({
    example: 'CN-01',
    description: 'Optional; when given it must be the operator’s own unit (else 403 FORBIDDEN_UNIT)',
  })
  @IsOptional()
  @IsString()
  @Length(1, 32)
  @IsNotBlank()
  unitCode?: string;
}
