/** Rating levels, grades and bad-review tags (API.md § Rating levels). Plain data, no framework. */
export type Grade = 'GOOD' | 'BAD';
export type RatingLevel = 1 | 2 | 3 | 4 | 5;
export type Channel = 'PAD' | 'HOTLINE_12345';
export const CHANNELS: readonly Channel[] = ['PAD', 'HOTLINE_12345'];

export const RATING_LEVELS: ReadonlyArray<{ level: RatingLevel; name: string; grade: Grade }> = [
  { level: 5, name: '非常满意', grade: 'GOOD' },
  { level: 4, name: '满意', grade: 'GOOD' },
  { level: 3, name: '基本满意', grade: 'GOOD' },
  { level: 2, name: '不满意', grade: 'BAD' },
  { level: 1, name: '非常不满意', grade: 'BAD' },
];

export function gradeOf(level: RatingLevel): Grade {
  return level >= 3 ? 'GOOD' : 'BAD';
}

export const BAD_REVIEW_TAGS = {
  ATTITUDE: '服务态度差',
  EFFICIENCY: '办事效率低',
  PROCESS: '办事流程繁琐',
  GUIDANCE: '指引不清晰',
  ENVIRONMENT: '服务环境差',
  POLICY: '政策解释不清',
  REPEATED_VISITS: '多次跑动',
  OTHER: '其他',
} as const;
export type BadReviewTag = keyof typeof BAD_REVIEW_TAGS;
export const BAD_REVIEW_TAG_CODES = Object.keys(BAD_REVIEW_TAGS) as BadReviewTag[];
