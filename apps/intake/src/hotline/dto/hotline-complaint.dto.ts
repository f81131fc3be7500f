import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsObject, IsOptional, IsString, Length, Matches, MaxLength, ValidateNested } from 'class-validator';
import { IsNotBlank, MAINLAND_MOBILE } from '#libs/common';
import { FIELD_MAX_LENGTH, HOTLINE_CATEGORIES, type HotlineCategory } from '#libs/contracts';
import { IsInstantWithOffset } from '../../shared/validators.js';
import { InHotlineTimeOrder } from '../hotline-times.js';

export { HOTLINE_CATEGORIES, type HotlineCategory };

export class CitizenDto {
  @ApiPropertyOptional({ example: '李四' })
  @IsOptional()
  @IsString()
  @Length(1, 50)
  name?: string;

  @ApiPropertyOptional({ example: '13900139000' })
  @IsOptional()
  @IsString()
  @Matches(MAINLAND_MOBILE, { message: 'must be a valid mainland mobile number' })
  phone?: string;
}

export class HotlineComplaintDto {
  @ApiProperty({
    example: '12345-20241120-0001',
    description: 'Scoped per hotline client; repeated with an identical body → 200 same id, with another body → 409 TICKET_CONFLICT',
  })
  @IsString()
  @Length(1, FIELD_MAX_LENGTH.ticketId)
  @IsNotBlank()
  ticketId: string;

  @ApiProperty({ example: 'CN-01' })
  @IsString()
  @Length(1, 32)
  @IsNotBlank()
  unitCode: string;

  @ApiProperty({
    enum: HOTLINE_CATEGORIES,
    description: 'Only a COMPLAINT is a bad review (差评); every category opens a case and counts in the report’s hotline section',
  })
  @IsIn(HOTLINE_CATEGORIES)
  category: HotlineCategory;

  @ApiProperty({ example: '窗口办理营业执照变更时工作人员态度差', maxLength: 2000 })
  @IsString()
  @Length(1, 2000)
  @IsNotBlank()
  content: string;

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

  @ApiProperty({ example: '2024-11-20T08:00:00+08:00', description: 'When 12345 received the matter; not after transferredAt' })
  @IsInstantWithOffset()
  @InHotlineTimeOrder()
  receivedAt: string;

  @ApiProperty({
    example: '2024-11-20T10:00:00+08:00',
    description: 'When it was transferred to the unit: starts the deadline clock, decides the quarter. Not in the future (300 s tolerance)',
  })
  @IsInstantWithOffset()
  transferredAt: string;

  @ApiPropertyOptional({
    example: '2024-12-11T23:59:59+08:00',
    description: 'The hotline’s own deadline, after transferredAt; becomes the case’s rectifyDueAt',
  })
  @IsOptional()
  @IsInstantWithOffset({ future: true })
  @InHotlineTimeOrder()
  dueAt?: string;

  @ApiPropertyOptional({ example: '食品经营许可' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  serviceItemName?: string;
}
