import type { FieldError } from '#libs/common';

/**
 * Why a PAD's offline upload refused an item, in plain Chinese for the staff who look after the device: the
 * field by the name a person knows it by, and what was wrong with it. The stored errors stay as the API answered
 * them (field path and English message); this is how the console shows them.
 */

/** The rating fields by what a person calls them (a path's first part; reviewer's by its own). */
const FIELD_NAMES: Record<string, string> = {
  serviceRecordId: '办件编号',
  serviceItemCode: '事项编码',
  serviceItemName: '事项名称',
  staffId: '工号',
  level: '评价等级',
  tags: '差评标签',
  comment: '补充说明',
  reviewer: '评价人信息',
  'reviewer.name': '评价人姓名',
  'reviewer.phone': '回访电话',
  ratedAt: '评价时间',
};

/** The first rule whose pattern the message matches words it. */
const MESSAGE_RULES: Array<{ pattern: RegExp; say: (m: RegExpExecArray) => string }> = [
  { pattern: /ALREADY_RATED/, say: () => '该办件已有评价，且本次内容与已存的评价不同（一次一评）' },
  { pattern: /should not exist/, say: () => '不是评价应有的内容（多余的字段）' },
  { pattern: /NUL|surrogate|property name/, say: () => '含有无法保存的字符' },
  { pattern: /must be at most (\d+) characters/, say: (m) => `超过 ${m[1]} 个字符` },
  { pattern: /more than (\d+) seconds in the future/, say: (m) => `比服务器时间晚 ${m[1]} 秒以上（请检查评价器的时钟）` },
  { pattern: /more than (\d+) days before receipt/, say: (m) => `早于上传时间 ${m[1]} 天以上（评价器离线过久或时钟有误）` },
  { pattern: /UTC offset|ISO ?8601|date string/, say: () => '不是带时区的时间' },
  { pattern: /mobile/, say: () => '不是有效的手机号码' },
  { pattern: /must not be blank|should not be empty|longer than or equal to 1 characters/, say: () => '不能为空' },
  { pattern: /shorter than or equal to (\d+) characters/, say: (m) => `超过 ${m[1]} 个字符` },
  { pattern: /must not repeat/, say: () => '有重复的标签' },
  { pattern: /each value must be one of/, say: () => '含有未知的标签' },
  { pattern: /no more than (\d+) elements/, say: (m) => `超过 ${m[1]} 项` },
  { pattern: /integer|must not be less than|must not be greater than/, say: () => '应为 1 至 5 的整数' },
  { pattern: /out of range/, say: () => '数值超出可保存的范围' },
  { pattern: /retry/, say: () => '暂时无法保存' },
  { pattern: /must be a string/, say: () => '应为文字' },
  { pattern: /must be an array/, say: () => '应为列表' },
  { pattern: /must be an object/, say: () => '格式不正确' },
];

/** The name of a field path (`reviewer.phone`, `tags[1]`, `` for the whole item). */
export function fieldName(field: string): string {
  if (field === '') return '该条评价';
  if (FIELD_NAMES[field]) return FIELD_NAMES[field];
  const first = /^[^.[]+/.exec(field)?.[0] ?? field;
  return FIELD_NAMES[first] ?? `字段“${field}”`;
}

/** One error of a rejected item, in Chinese: 「回访电话：不是有效的手机号码」. */
export function rejectionReason(error: FieldError): string {
  for (const rule of MESSAGE_RULES) {
    const m = rule.pattern.exec(error.message);
    if (m) return `${fieldName(error.field)}：${rule.say(m)}`;
  }
  return `${fieldName(error.field)}：不符合要求`;
}

/** Longest kept text of a refused item (a service record id, a field path, a message): enough to recognise it. */
export const KEPT_TEXT_LENGTH = 200;
/** At most this many errors of one item are kept. */
export const KEPT_ERRORS_PER_ITEM = 20;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** A string as it can be stored and shown: no NUL, no lone surrogate, at most KEPT_TEXT_LENGTH characters. */
export function keptText(value: string): string {
  const short = value.length > KEPT_TEXT_LENGTH ? `${value.slice(0, KEPT_TEXT_LENGTH - 1)}…` : value;
  return short.replaceAll('\u0000', '\uFFFD').replace(LONE_SURROGATE, '\uFFFD');
}

/** What is kept of a refused batch item: its index, its service record id when it named one, its errors. */
export interface RejectedItem {
  index: number;
  serviceRecordId: string | null;
  errors: FieldError[];
}

export function rejectedItem(index: number, item: unknown, errors: FieldError[]): RejectedItem {
  const id = (item as { serviceRecordId?: unknown } | null)?.serviceRecordId;
  return {
    index,
    serviceRecordId: typeof id === 'string' ? keptText(id) : null,
    errors: errors.slice(0, KEPT_ERRORS_PER_ITEM).map((e) => ({ field: keptText(e.field), message: keptText(e.message) })),
  };
}
