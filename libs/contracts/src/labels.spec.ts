import { CASE_OUTCOMES, CASE_SOURCES, CASE_STATUSES, IMPROVEMENT_ACTION_STATUSES, PROBLEM_CLASS_STATUSES } from './events.js';
import {
  CASE_OUTCOME_LABELS,
  CASE_SOURCE_LABELS,
  CASE_STATUS_LABELS,
  CHANNEL_LABELS,
  CONTACT_METHOD_LABELS,
  HOTLINE_CATEGORY_LABELS,
  IMPROVEMENT_ACTION_STATUS_LABELS,
  LEVEL_LABELS,
  labelOf,
  PUBLIC_CASE_OUTCOME_LABELS,
  PROBLEM_CLASS_STATUS_LABELS,
  PROBLEM_CLASS_STEP_LABELS,
  PUBLIC_CASE_SOURCE_LABELS,
  SUSPECT_STATUS_LABELS,
  suspectReasonLabel,
  TAG_LABELS,
} from './labels.js';
import { BAD_REVIEW_TAG_CODES, BAD_REVIEW_TAGS, CHANNELS, HOTLINE_CATEGORIES, RATING_LEVELS } from './rating.js';

/** A label a person reads: Chinese, no code or English word in it. */
const plainChinese = /^[^A-Za-z_]*[\u4e00-\u9fff][^A-Za-z_]*$/;

describe('labels: one home for what a person reads for each code', () => {
  it('labels every code of the contract, in Chinese', () => {
    const tables: Array<[readonly string[], Readonly<Record<string, string>>]> = [
      [BAD_REVIEW_TAG_CODES, TAG_LABELS],
      [CASE_STATUSES, CASE_STATUS_LABELS],
      [CASE_SOURCES, CASE_SOURCE_LABELS],
      [CASE_OUTCOMES, CASE_OUTCOME_LABELS],
      [HOTLINE_CATEGORIES, HOTLINE_CATEGORY_LABELS],
      [['PAD', 'HOTLINE_12345', 'ONLINE', 'QR', 'SMS', 'PROVINCE'], CHANNEL_LABELS], // API.md § Channels
      [['PHONE', 'SMS', 'VISIT', 'ONLINE', 'NO_CONTACT'], CONTACT_METHOD_LABELS],
      [['OPEN', 'CONFIRMED', 'CLEARED'], SUSPECT_STATUS_LABELS],
      [CASE_SOURCES, PUBLIC_CASE_SOURCE_LABELS],
      [PROBLEM_CLASS_STATUSES, PROBLEM_CLASS_STATUS_LABELS],
      [IMPROVEMENT_ACTION_STATUSES, IMPROVEMENT_ACTION_STATUS_LABELS],
      // ProblemClassTimelineEntryDto.action
      [
        ['open', 'add-cases', 'remove-case', 'assign-action', 'report-action', 'return-action', 'accept-action', 'solved'],
        PROBLEM_CLASS_STEP_LABELS,
      ],
      [['RECTIFIED', 'EXPLAINED'], PUBLIC_CASE_OUTCOME_LABELS], // an upheld appeal is never a public example
    ];
    for (const [codes, labels] of tables) {
      for (const code of codes) expect({ code, label: labels[code] }).toEqual({ code, label: expect.stringMatching(plainChinese) });
      expect(Object.keys(labels).sort()).toEqual([...new Set(codes)].sort());
    }
    for (const channel of CHANNELS) expect(CHANNEL_LABELS[channel]).toMatch(plainChinese);
    for (const l of RATING_LEVELS) expect(l.name).toBe(LEVEL_LABELS[l.level]);
  });

  it('is where the services take the tag labels from (the PAD, the bulletin and GET /rating-tags agree)', () => {
    expect(BAD_REVIEW_TAGS).toBe(TAG_LABELS);
    expect(TAG_LABELS.REPEATED_VISITS).toBe('多次跑动');
    expect(TAG_LABELS.POLICY).toBe('政策解释不清');
  });

  it('words a stored 刷评 reason with its own numbers, and an unknown one plainly', () => {
    expect(suspectReasonLabel('BURST: more than 5 ratings from one device with ratedAt within 10 s')).toBe(
      '疑似刷评：同一评价器的评价时间在 10 秒内超过 5 条',
    );
    expect(suspectReasonLabel('BURST: more than 7 live ratings from one device received within 20 s')).toBe(
      '疑似刷评：同一评价器 20 秒内收到超过 7 条实时评价',
    );
    expect(suspectReasonLabel('something else')).toBe('疑似刷评');
    expect(suspectReasonLabel(null)).toBe('疑似刷评');
  });

  it('falls back to the code, or a dash for none', () => {
    expect(labelOf(CASE_STATUS_LABELS, 'CLOSED')).toBe('已办结');
    expect(labelOf(CASE_STATUS_LABELS, 'NEW_STATE')).toBe('NEW_STATE');
    expect(labelOf(CASE_STATUS_LABELS, null)).toBe('—');
  });
});
