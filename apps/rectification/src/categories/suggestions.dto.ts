import { ApiProperty } from '@nestjs/swagger';

export class CategorySuggestionDto {
  @ApiProperty({ example: 'EFFICIENCY_WAITING' }) code: string;
  @ApiProperty({ minimum: 0, maximum: 1, description: 'Share of the evidence (0–1); the suggestions sum to at most 1' }) score: number;
}

export class SimilarCaseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'CN-02' }) unitCode: string;
  @ApiProperty({ type: String, nullable: true }) serviceItemCode: string | null;
  @ApiProperty({ description: 'The start of what the citizen wrote (phone and ID-card numbers masked)' }) snippet: string;
  @ApiProperty({ minimum: 0, maximum: 1, description: 'TF-IDF cosine over the words (jieba) and the problem vocabulary' })
  similarity: number;
}

export class CaseSuggestionsDto {
  @ApiProperty({ type: [CategorySuggestionDto], description: 'Best first; only active categories' })
  categories: CategorySuggestionDto[];
  @ApiProperty({ type: [SimilarCaseDto], description: 'Earlier cases of the same service item, any unit, most similar first' })
  similarCases: SimilarCaseDto[];
}
