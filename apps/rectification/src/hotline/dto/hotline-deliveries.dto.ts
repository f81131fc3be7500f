import { ApiProperty } from '@nestjs/swagger';

export const DELIVERY_STATES = ['FAILING', 'PENDING', 'DELIVERED', 'NONE'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** How the replies to one 12345 client stand (counts and the last attempt; no reply text, no citizen data). */
export class HotlineClientDeliveriesDto {
  @ApiProperty({ format: 'uuid' }) clientId: string;
  @ApiProperty({ type: String, nullable: true, description: 'null while the registration has not reached this service' })
  name: string | null;
  @ApiProperty({ type: String, nullable: true }) callbackUrl: string | null;
  @ApiProperty() revoked: boolean;
  @ApiProperty({
    enum: DELIVERY_STATES,
    description:
      'FAILING: a reply is being retried after a failed attempt; PENDING: replies waiting for their first attempt; DELIVERED: every reply acknowledged; NONE: no reply yet',
  })
  state: DeliveryState;
  @ApiProperty({ description: 'Replies acknowledged with a 2xx' }) delivered: number;
  @ApiProperty({ description: 'Replies waiting for their first attempt' }) pending: number;
  @ApiProperty({ description: 'Replies retried with backoff after a failed attempt' }) failing: number;
  @ApiProperty({ description: 'Replies not sent: the client has no callback URL or is revoked' }) undeliverable: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastAttemptAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastDeliveredAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'The next retry of a failing or pending reply' })
  nextAttemptAt: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'HTTP status of the latest failed attempt of a reply still failing' })
  lastStatus: number | null;
  @ApiProperty({ type: String, nullable: true, description: 'Error of the latest failed attempt of a reply still failing' })
  lastError: string | null;
}

export class HotlineDeliveriesDto {
  @ApiProperty({ type: [HotlineClientDeliveriesDto] }) items: HotlineClientDeliveriesDto[];
}
