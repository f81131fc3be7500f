import { ApiProperty } from '@nestjs/swagger';

/** The answer to a 12345 transfer. */
export class ComplaintReceiptDto {
  @ApiProperty({ format: 'uuid', description: 'The stored review' }) id: string;
  @ApiProperty({ example: '12345-20261120-0001' }) ticketId: string;
  @ApiProperty({ enum: ['ACCEPTED'] }) status: 'ACCEPTED';
  @ApiProperty({ description: 'true: the same ticket again with an identical body (200)' }) duplicate: boolean;
}
