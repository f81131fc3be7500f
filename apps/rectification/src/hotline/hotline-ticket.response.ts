import { ApiProperty } from '@nestjs/swagger';
import { CASE_STATUSES, type CaseOutcome, type CaseStatus } from '#libs/contracts';

export class ReplyDeliveryDto {
  @ApiProperty({ example: 'DELIVERED' }) status: string;
  @ApiProperty({ minimum: 0 }) attempts: number;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) deliveredAt: string | null;
}

/** A 12345 ticket's case and the reply sent back to the hotline. */
export class HotlineTicketDto {
  @ApiProperty() ticketId: string;
  @ApiProperty({ format: 'uuid' }) caseId: string;
  @ApiProperty({ enum: CASE_STATUSES }) status: CaseStatus;
  @ApiProperty({ enum: ['RECTIFIED', 'EXPLAINED', 'APPEAL_UPHELD'], nullable: true }) outcome: CaseOutcome | null;
  @ApiProperty({ type: String, nullable: true }) reply: string | null;
  @ApiProperty({ type: String, nullable: true }) replyId: string | null;
  @ApiProperty({ type: ReplyDeliveryDto, nullable: true }) replyDelivery: ReplyDeliveryDto | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) respondedAt: string | null;
  @ApiProperty({ format: 'date-time' }) responseDueAt: string;
  @ApiProperty({ format: 'date-time' }) rectifyDueAt: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) closedAt: string | null;
}
