import { BAD_REVIEW_TAG_CODES } from '#libs/contracts';
import { validateRatingItem } from './ratings.service.js';
import { fieldName, keptText, rejectedItem, rejectionReason } from './rejection-reasons.js';

const valid = {
  serviceRecordId: 'SR-1',
  serviceItemCode: 'X-1',
  level: 2,
  ratedAt: new Date(Date.now() - 60_000).toISOString(),
};

/** The reasons of an item as the batch judges it, in Chinese. */
function reasonsOf(item: unknown): string[] {
  const checked = validateRatingItem(item);
  expect(checked.dto).toBeNull();
  return checked.errors.map(rejectionReason);
}

describe('rejection reasons: why an upload refused an item, in Chinese', () => {
  it('names every rating field by what a person calls it', () => {
    expect(fieldName('serviceRecordId')).toBe('办件编号');
    expect(fieldName('reviewer.phone')).toBe('回访电话');
    expect(fieldName('tags[1]')).toBe('差评标签');
    expect(fieldName('')).toBe('该条评价');
    expect(fieldName('colour')).toBe('字段“colour”');
  });

  it('words what the validators say about each field', () => {
    expect(reasonsOf({ ...valid, serviceRecordId: 'X'.repeat(65) })).toEqual(['办件编号：超过 64 个字符']);
    expect(reasonsOf({ ...valid, serviceRecordId: '   ' })).toEqual(['办件编号：不能为空']);
    expect(reasonsOf({ ...valid, level: 9 })).toEqual(['评价等级：应为 1 至 5 的整数']);
    expect(reasonsOf({ ...valid, reviewer: { phone: '12345' } })).toEqual(['回访电话：不是有效的手机号码']);
    expect(reasonsOf({ ...valid, tags: ['RUDE'] })).toEqual(['差评标签：含有未知的标签']);
    expect(reasonsOf({ ...valid, tags: [BAD_REVIEW_TAG_CODES[0], BAD_REVIEW_TAG_CODES[0]] })).toEqual(['差评标签：有重复的标签']);
    expect(reasonsOf({ ...valid, comment: 'x'.repeat(501) })).toEqual(['补充说明：超过 500 个字符']);
    expect(reasonsOf({ ...valid, comment: 'a\u0000b' })).toEqual(['补充说明：含有无法保存的字符']);
    expect(reasonsOf({ ...valid, colour: 'red' })).toEqual(['字段“colour”：不是评价应有的内容（多余的字段）']);
    expect(reasonsOf({ ...valid, ratedAt: '2026-12-07 10:00' })).toEqual(['评价时间：不是带时区的时间']);
    expect(reasonsOf({ ...valid, ratedAt: new Date(Date.now() + 3_600_000).toISOString() })).toEqual([
      '评价时间：比服务器时间晚 300 秒以上（请检查评价器的时钟）',
    ]);
    expect(reasonsOf({ ...valid, ratedAt: new Date(Date.now() - 40 * 86_400_000).toISOString() })).toEqual([
      '评价时间：早于上传时间 30 天以上（评价器离线过久或时钟有误）',
    ]);
    expect(reasonsOf('a string')).toEqual(['该条评价：格式不正确']);
  });

  it('words what only the store can refuse, and falls back to a plain sentence', () => {
    expect(rejectionReason({ field: 'serviceRecordId', message: 'ALREADY_RATED: has already been rated with a different body' })).toBe(
      '办件编号：该办件已有评价，且本次内容与已存的评价不同（一次一评）',
    );
    expect(rejectionReason({ field: '', message: 'could not be stored: a value is out of range' })).toBe('该条评价：数值超出可保存的范围');
    expect(rejectionReason({ field: 'level', message: 'something new' })).toBe('评价等级：不符合要求');
  });

  it('keeps only storable, bounded text of a refused item', () => {
    expect(keptText('a\u0000b\uD800c')).toBe('a\uFFFDb\uFFFDc');
    expect(keptText('😀')).toBe('😀');
    const long = keptText('x'.repeat(1000));
    expect(long).toHaveLength(200);
    expect(long.endsWith('…')).toBe(true);
    const item = rejectedItem(
      7,
      { serviceRecordId: 12 },
      Array.from({ length: 30 }, (_, i) => ({ field: `f${i}`, message: 'bad' })),
    );
    expect(item.index).toBe(7);
    expect(item.serviceRecordId).toBeNull();
    expect(item.errors).toHaveLength(20);
  });
});
