import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { CreateRatingDto, ImportedRatingDto } from './dto/create-rating.dto.js';
import { fastImportedRating, fastRating, fastRatingBatch } from './dto/fast-rating-validation.js';
import { bodyHash } from './rating-rules.js';

/** What the ValidationPipe decides (whitelist, unknown fields rejected, transform). */
function slow(plain: unknown): CreateRatingDto | null {
  if (typeof plain !== 'object' || plain === null) return null; // the pipe turns nil into {} and rejects it
  const dto = plainToInstance(CreateRatingDto, plain as object);
  const errors = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true });
  return errors.length ? null : dto;
}

/** A ratedAt within the device bounds (RATING_MAX_AGE_DAYS, default 30) of now. */
const recent = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
const oldest = new Date(Date.now() - 31 * 86_400_000).toISOString();

const valid = {
  serviceRecordId: 'CN-2024-000123',
  serviceItemCode: '310105-XK-0001',
  serviceItemName: '食品经营许可',
  staffId: 'E1024',
  level: 2,
  tags: ['EFFICIENCY', 'ATTITUDE'],
  comment: '等了很久',
  reviewer: { name: '张三', phone: '13800138000' },
  ratedAt: recent(90).replace('Z', '+00:00'),
};
const minimal = { serviceRecordId: 'R1', serviceItemCode: 'I1', level: 5, ratedAt: recent(30) };
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
  { ...minimal, ratedAt: oldest },
  { ...minimal, ratedAt: '1999-12-31T23:59:59+08:00' },
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

  it.each([
    ['a device rating', { ...minimal, ratedAt: oldest }, fastRating, 'device'],
    ['an import', { ...minimal, ratedAt: '1999-12-31T23:59:59+08:00' }, fastImportedRating, 'import'],
  ] as const)('refuses ratedAt out of the bounds of %s, on both paths, naming ratedAt', (_what, plain, fast, kind) => {
    expect(fast(plain)).toBeNull();
    const dto = plainToInstance(kind === 'device' ? CreateRatingDto : ImportedRatingDto, plain);
    const errors = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true });
    expect(errors.map((e) => e.property)).toEqual(['ratedAt']);
    expect(Object.values(errors[0]!.constraints!)[0]).toMatch(kind === 'device' ? /30 days before receipt/ : /before 2000-01-01/);
  });

  it('an import takes what a device may not: ratedAt years back, from 2000-01-01 (Asia/Shanghai) on', () => {
    for (const ratedAt of ['2000-01-01T00:00:00+08:00', '2019-06-03T10:15:00+08:00', oldest]) {
      const dto = fastImportedRating({ ...minimal, ratedAt });
      expect(dto).toBeInstanceOf(ImportedRatingDto);
      expect(validateSync(plainToInstance(ImportedRatingDto, { ...minimal, ratedAt }))).toEqual([]);
    }
    expect(fastRating({ ...minimal, ratedAt: '2019-06-03T10:15:00+08:00' })).toBeNull();
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
