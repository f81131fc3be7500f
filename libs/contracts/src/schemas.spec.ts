import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { reviewSubmittedData } from '../../testing/src/event-fixtures.js';
import { EVENT_SCHEMAS } from './schemas.js';
import { EventTypes } from './topics.js';

const problems = (type: string, data: object): string[] =>
  validateSync(plainToInstance(EVENT_SCHEMAS[type]!, data), { forbidUnknownValues: false }).map((e) => e.property);

const submitted = reviewSubmittedData({ level: 2, grade: 'BAD', tags: ['ATTITUDE'], serviceRecordId: 'SR-1', windowNo: 'A01' });

describe('event schemas', () => {
  it('every event type a consumer may receive has a schema (the dead-letter notice aside)', () => {
    const types = Object.values(EventTypes).filter((t) => t !== EventTypes.DeadLettered);
    expect(types.filter((t) => EVENT_SCHEMAS[t] === undefined)).toEqual([]);
    expect(Object.keys(EVENT_SCHEMAS).sort()).toEqual([...types].sort());
  });

  it('accepts a well-formed gov.review.submitted payload', () => {
    expect(problems(EventTypes.ReviewSubmitted, submitted)).toEqual([]);
    expect(problems(EventTypes.ReviewSubmitted, { ...submitted, channel: 'HOTLINE_12345', level: null, category: 'COMPLAINT' })).toEqual(
      [],
    );
  });

  it('names each bad member of a gov.review.submitted payload', () => {
    expect(problems(EventTypes.ReviewSubmitted, { ...submitted, unitCode: '', level: 6, grade: 'SO-SO', channel: 'FAX' }).sort()).toEqual([
      'channel',
      'grade',
      'level',
      'unitCode',
    ]);
  });
});
