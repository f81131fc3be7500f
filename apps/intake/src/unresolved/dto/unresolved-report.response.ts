import { ApiProperty } from '@nestjs/swagger';
import type { UnresolvedReportEntity } from '../unresolved-report.entity.js';

export class MaskedCitizenDto {
  @ApiProperty({ type: String, nullable: true, example: '张*' }) name: string | null;
  @ApiProperty({ type: String, nullable: true, example: '138****5678' }) phone: string | null;
}

/** A stored 办不成事 report (contact masked). */
export class UnresolvedReportResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'CN-01' }) unitCode: string;
  @ApiProperty() matter: string;
  @ApiProperty({ description: 'Phone and ID-card numbers masked' }) description: string;
  @ApiProperty({ type: String, nullable: true }) serviceItemCode: string | null;
  @ApiProperty({ type: MaskedCitizenDto }) citizen: MaskedCitizenDto;
  @ApiProperty({ format: 'date-time' }) reportedAt: string;
  @ApiProperty() reportedBy: string;

  static fromEntity(e: UnresolvedReportEntity, citizen: MaskedCitizenDto): UnresolvedReportResponseDto {
    return {
      id: e.id,
      unitCode: e.unitCode,
      matter: e.matter,
      description: e.description,
      serviceItemCode: e.serviceItemCode,
      citizen,
      reportedAt: e.reportedAt.toISOString(),
      reportedBy: e.reportedBy,
    };
  }
}
