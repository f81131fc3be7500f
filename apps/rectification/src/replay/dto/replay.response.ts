import { ApiProperty } from '@nestjs/swagger';

export class RectificationReplayResultDto {
  @ApiProperty({ format: 'uuid', description: 'The replay, as every event it sent carries it (CloudEvents attribute `replay`)' })
  replayId: string;

  @ApiProperty({ description: '问题分类 re-sent (gov.problem-category.changed)' })
  problemCategories: number;

  @ApiProperty({ description: 'Cases re-sent (their state on cases.lifecycle; a published example also on cases.publication)' })
  cases: number;

  @ApiProperty({ description: '类问题 re-sent (gov.problem-class.opened or .solved, as it stands)' })
  problemClasses: number;

  @ApiProperty({ description: 'Events written to the outbox' })
  events: number;

  @ApiProperty({ format: 'date-time' })
  startedAt: string;

  @ApiProperty({ format: 'date-time', description: 'When the last event was in the outbox (the relay publishes them from there)' })
  finishedAt: string;
}
