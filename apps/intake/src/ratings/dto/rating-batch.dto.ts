import { ApiProperty } from '@nestjs/swagger';
import { ArrayMinSize, IsArray } from 'class-validator';
import { CreateRatingDto } from './create-rating.dto.js';

export const MAX_BATCH_ITEMS = 500;

export class RatingBatchDto {
  @ApiProperty({
    type: [CreateRatingDto],
    minItems: 1,
    maxItems: MAX_BATCH_ITEMS,
    description: 'Each item is validated on its own; over 500 items → 413',
  })
  @IsArray()
  @ArrayMinSize(1)
  ratings: unknown[];
}
