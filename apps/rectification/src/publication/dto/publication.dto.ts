import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, Length } from 'class-validator';
import { MATTER_MAX, MEASURES_MAX } from '../publication-rules.js';

export class SetPublicationDto {
  @ApiProperty({ description: 'Publish this closed case as a 以评促改 example on the public pages (false withdraws it)' })
  @IsBoolean()
  publishable: boolean;

  @ApiPropertyOptional({
    example: '食品经营许可（不满意：办事效率低）',
    description:
      'The matter as the public will read it. Default for a PAD bad review: the service item, level and tags (never the citizen’s comment); ' +
      'required for hotline and 办不成事 cases. Must hold no phone or ID number, staff id or reviewer name.',
    maxLength: MATTER_MAX,
  })
  @IsOptional()
  @IsString()
  @Length(1, MATTER_MAX)
  matter?: string;

  @ApiPropertyOptional({
    example: '增设潮汐窗口，高峰时段加派人员，平均等候时间由40分钟降至15分钟',
    description: 'The measures as the public will read them. Default: the measures of the case’s last rectify. Same rules as matter.',
    maxLength: MEASURES_MAX,
  })
  @IsOptional()
  @IsString()
  @Length(1, MEASURES_MAX)
  measures?: string;
}

export class PublicationDto {
  @ApiProperty({ format: 'uuid' })
  caseId: string;

  @ApiProperty()
  publishable: boolean;

  @ApiPropertyOptional({ nullable: true, type: String })
  matter: string | null;

  @ApiPropertyOptional({ nullable: true, type: String })
  measures: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, description: 'When the choice was last changed' })
  changedAt: string | null;
}
