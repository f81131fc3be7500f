import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { EVENT_SCHEMAS } from './schemas.js';
import { EventTypes } from './topics.js';

const problems = (type: string, data: object): string[] =>
  validateSync(plainToInstance(EVENT_SCHEMAS[type]!, data), { forbidUnknownValues: false }).map((e) => e.property);

const submitted = {
  reviewId: '6f1d1c5e-9a4b-4c2e-8f3a-2b7c9d0e1f2a',
  unitCode: 'CN-01',
  unitName: '区市场监督管理局',
  channel: 'PAD',
  level: 2,
  grade: 'BAD',
  tags: ['ATTITUDE'],
  serviceItemCode: null,
  serviceItemName: null,
  serviceRecordId: 'SR-1',
  windowNo: 'A01',
  staffId: null,
  comment: null,
  ratedAt: '2026-11-20T02:00:00.000Z',
  receivedAt: '2026-11-20T02:00:01.000Z',
  suspect: false,
  suspectReason: null,
  ticketId: null,
  hotlineClientId: null,
  category: null,
  dueAt: null,
  contact: { maskedName: null, maskedPhone: null, sealed: null },
};

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
