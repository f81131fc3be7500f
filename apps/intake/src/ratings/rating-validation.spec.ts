import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { CreateRatingDto } from './dto/create-rating.dto.js';
import { fastRating, fastRatingBatch } from './dto/fast-rating-validation.js';
import { bodyHash } from './rating-rules.js';

/** What the ValidationPipe decides (whitelist, unknown fields rejected, transform). */
function slow(plain: unknown): CreateRatingDto | null {
  if (typeof plain !== 'object' || plain === null) return null; // the pipe turns nil into {} and rejects it
  const dto = plainToInstance(CreateRatingDto, plain as object);
  const errors = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true });
  return errors.length ? null : dto;
}

const valid = {
  serviceRecordId: 'CN-2024-000123',
  serviceItemCode: '310105-XK-0001',
  serviceItemName: '食品经营许可',
  staffId: 'E1024',
  level: 2,
  tags: ['EFFICIENCY', 'ATTITUDE'],
  comment: '等了很久',
  reviewer: { name: '张三', phone: '13800138000' },
  ratedAt: '2024-11-20T09:30:00+08:00',
};
const minimal = { serviceRecordId: 'R1', serviceItemCode: 'I1', level: 5, ratedAt: '2024-11-20T01:30:00Z' };
const future = new Date(Date.now() + 3_600_000).toISOString();

const cases: unknown[] = [
  valid,
  minimal,
  { ...minimal, reviewer: { phone: '13900000000' } },
  { ...minimal, reviewer: {} },
  null,
  [],
  'x',
  {},
  { ...minimal, extra: 1 },
  { ...minimal, serviceItemName: null },
  { ...minimal, reviewer: null },
  { ...minimal, reviewer: { name: '张三', extra: 'x' } },
  { ...minimal, reviewer: { phone: '12345' } },
  { ...minimal, reviewer: { name: '' } },
  { ...minimal, reviewer: 'x' },
  { ...minimal, reviewer: [] },
  { ...minimal, level: 0 },
  { ...minimal, level: 6 },
  { ...minimal, level: 2.5 },
  { ...minimal, level: '5' },
  { ...minimal, tags: ['EFFICIENCY', 'EFFICIENCY'] },
  { ...minimal, tags: ['NOPE'] },
  { ...minimal, tags: 'EFFICIENCY' },
  { ...minimal, tags: [] },
  { ...minimal, serviceRecordId: '' },
  { ...minimal, serviceRecordId: 'x'.repeat(65) },
  { ...minimal, serviceRecordId: '\uFE0F' },
  { ...minimal, serviceItemCode: 7 },
  { ...minimal, comment: 'x'.repeat(501) },
  { ...minimal, staffId: 'x'.repeat(65) },
  { ...minimal, ratedAt: '2024-11-20T09:30:00' },
  { ...minimal, ratedAt: '2024-02-30T09:30:00Z' },
  { ...minimal, ratedAt: future },
  { ...minimal, ratedAt: 12 },
  JSON.parse('{"serviceRecordId":"R1","serviceItemCode":"I1","level":5,"ratedAt":"2024-11-20T01:30:00Z","__proto__":{"x":1}}'),
];

describe('fast rating validation', () => {
  it.each(cases.map((c, i) => [i, c]))('case %i: accepts only what class-validator accepts, as the same DTO', (_i, plain) => {
    const fast = fastRating(plain);
    const reference = slow(plain);
    if (fast) {
      expect(reference).not.toBeNull();
      expect(fast).toBeInstanceOf(CreateRatingDto);
      expect(fast).toEqual(reference);
      expect(bodyHash(fast)).toBe(bodyHash(reference!));
    }
  });

  it('takes the fast path for ordinary valid ratings', () => {
    expect(fastRating(valid)).not.toBeNull();
    expect(fastRating(minimal)).not.toBeNull();
  });

  it('accepts a batch envelope only with a non-empty ratings array and nothing else', () => {
    expect(fastRatingBatch({ ratings: [valid] })?.ratings).toEqual([valid]);
    expect(fastRatingBatch({ ratings: [] })).toBeNull();
    expect(fastRatingBatch({ ratings: [valid], x: 1 })).toBeNull();
    expect(fastRatingBatch({ ratings: 'x' })).toBeNull();
    expect(fastRatingBatch(null)).toBeNull();
  });
});
