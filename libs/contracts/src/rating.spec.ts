import {
  GOOD_LEVELS,
  gradeOf,
  gradeOfHotline,
  HOTLINE_CATEGORIES,
  hotlineCategoryOf,
  opensCase,
  RATING_LEVELS,
  type RatingLevel,
} from './rating.js';

describe('rating levels and grades: RATING_LEVELS is the one table', () => {
  it('lists the five levels once each, best first', () => {
    expect(RATING_LEVELS.map((l) => l.level)).toEqual([5, 4, 3, 2, 1]);
    expect(RATING_LEVELS.map((l) => l.name)).toEqual(['非常满意', '满意', '基本满意', '不满意', '非常不满意']);
  });

  it('gradeOf answers the grade the table gives each level: 3 and above GOOD, 1 and 2 BAD', () => {
    for (const { level, grade } of RATING_LEVELS) expect(gradeOf(level)).toBe(grade);
    expect(([1, 2, 3, 4, 5] as RatingLevel[]).map(gradeOf)).toEqual(['BAD', 'BAD', 'GOOD', 'GOOD', 'GOOD']);
  });

  it('refuses a level the table does not have', () => {
    expect(() => gradeOf(0 as RatingLevel)).toThrow(RangeError);
    expect(() => gradeOf(6 as RatingLevel)).toThrow(RangeError);
  });

  it('GOOD_LEVELS, the parameter SQL gets, are exactly the levels graded GOOD', () => {
    expect(GOOD_LEVELS).toEqual([3, 4, 5]);
    expect(GOOD_LEVELS).toEqual(
      RATING_LEVELS.filter((l) => gradeOf(l.level) === 'GOOD')
        .map((l) => l.level)
        .sort(),
    );
  });
});

describe('12345 transfers', () => {
  it('only a complaint is a bad review; the other categories are no review', () => {
    expect(HOTLINE_CATEGORIES.map(gradeOfHotline)).toEqual(['BAD', 'NONE', 'NONE', 'NONE']);
  });

  it('a transfer stored without a known category counts as a complaint', () => {
    expect(hotlineCategoryOf(null)).toBe('COMPLAINT');
    expect(hotlineCategoryOf('')).toBe('COMPLAINT');
    expect(hotlineCategoryOf('OTHER')).toBe('COMPLAINT');
    for (const category of HOTLINE_CATEGORIES) expect(hotlineCategoryOf(category)).toBe(category);
  });

  it('every bad review and every transfer opens a case; a good PAD rating does not', () => {
    expect(opensCase({ grade: 'BAD', channel: 'PAD' })).toBe(true);
    expect(opensCase({ grade: 'GOOD', channel: 'PAD' })).toBe(false);
    expect(opensCase({ grade: 'NONE', channel: 'HOTLINE_12345' })).toBe(true);
    expect(opensCase({ grade: 'BAD', channel: 'HOTLINE_12345' })).toBe(true);
    const handling = { respondedAt: '2024-01-02T02:00:00.000Z', respondedOnTime: true, outcome: 'RECTIFIED', closedAt: null };
    expect(opensCase({ grade: 'BAD', channel: 'PAD', handling })).toBe(false);
  });
});
