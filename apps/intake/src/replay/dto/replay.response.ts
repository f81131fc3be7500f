import { ApiProperty } from '@nestjs/swagger';

export class IntakeReplayResultDto {
  @ApiProperty({ format: 'uuid', description: 'The replay, as every event it sent carries it (CloudEvents attribute `replay`)' })
  replayId: string;

  @ApiProperty({ description: 'Units re-sent (gov.unit.registered, and gov.unit.updated for a disabled one)' })
  units: number;

  @ApiProperty({ description: 'Reviews re-sent (gov.review.submitted, with the current 刷评 flag)' })
  reviews: number;

  @ApiProperty({ description: '办不成事 reports re-sent (gov.unresolved.reported)' })
  unresolvedReports: number;

  @ApiProperty({ description: 'Events written to the outbox' })
  events: number;

  @ApiProperty({ format: 'date-time' })
  startedAt: string;

  @ApiProperty({ format: 'date-time', description: 'When the last event was in the outbox (the relay publishes them from there)' })
  finishedAt: string;
}
