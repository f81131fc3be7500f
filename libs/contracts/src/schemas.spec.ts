import { caseLifecycleData, reviewSubmittedData } from '../../testing/src/event-fixtures.js';
import { CASE_LIFECYCLE_TYPES, eventDataErrors, EVENT_SCHEMAS, Events } from './schemas.js';
import { EventSources, EventTypes } from './topics.js';

/** The fields an event's data is wrong in (eventDataErrors names each one once). */
const problems = (type: string, data: object): string[] => eventDataErrors({ type, data }).map((line) => line.split(':')[0]!);

const submitted = reviewSubmittedData({ level: 2, grade: 'BAD', tags: ['ATTITUDE'], serviceRecordId: 'SR-1', windowNo: 'A01' });

describe('event schemas', () => {
  it('every event type of the contract has a schema, and nothing else has one', () => {
    const types = Object.values(EventTypes);
    expect(types.filter((t) => !(t in EVENT_SCHEMAS))).toEqual([]);
    expect(Object.keys(EVENT_SCHEMAS).sort()).toEqual([...types].sort());
  });

  it('accepts a well-formed gov.review.submitted payload, PAD or 12345', () => {
    expect(problems(EventTypes.ReviewSubmitted, submitted)).toEqual([]);
    expect(problems(EventTypes.ReviewSubmitted, { ...submitted, channel: 'HOTLINE_12345', level: null, category: 'COMPLAINT' })).toEqual(
      [],
    );
  });

  it('names each bad member of a gov.review.submitted payload, nested ones by their path', () => {
    const bad = { ...submitted, unitCode: '', level: 6, grade: 'SO-SO', channel: 'FAX', contact: { maskedName: 1, maskedPhone: null } };
    expect(problems(EventTypes.ReviewSubmitted, bad).sort()).toEqual([
      'channel',
      'contact',
      'contact.maskedName',
      'grade',
      'level',
      'unitCode',
    ]);
    expect(eventDataErrors({ type: EventTypes.ReviewSubmitted, data: { ...submitted, level: 6 } })).toEqual([
      'level: must be equal to one of the allowed values or must be null',
    ]);
  });

  it('checks times as RFC 3339 date-times and ids as UUIDs', () => {
    expect(problems(EventTypes.ReviewSubmitted, { ...submitted, ratedAt: '2026-13-01T00:00:00Z', reviewId: 'r-1' }).sort()).toEqual([
      'ratedAt',
      'reviewId',
    ]);
    expect(problems(EventTypes.ReviewSubmitted, { ...submitted, ratedAt: '2026-12-01T09:30:00.123456+08:00' })).toEqual([]);
  });

  it('has nothing to say about a type outside the contract', () => {
    expect(eventDataErrors({ type: 'gov.something.new', data: { anything: true } })).toEqual([]);
  });
});

describe('event factories', () => {
  it('build a CloudEvent of their type from the owning service, with a fresh id unless told one', () => {
    const a = Events.reviewSubmitted(submitted);
    const b = Events.reviewSubmitted(submitted, { id: 'e-1', time: new Date('2026-12-01T01:02:03.000Z'), subject: submitted.reviewId });
    expect(a).toMatchObject({ specversion: '1.0', type: EventTypes.ReviewSubmitted, source: EventSources.Intake, data: submitted });
    expect(a.id).not.toBe(Events.reviewSubmitted(submitted).id);
    expect(b).toMatchObject({ id: 'e-1', time: '2026-12-01T01:02:03.000Z', subject: submitted.reviewId });
    expect(eventDataErrors(a)).toEqual([]);
  });

  it('give every lifecycle event of a case a schema and the rectification source, and a dead letter the source it is told', () => {
    for (const type of CASE_LIFECYCLE_TYPES) expect(EVENT_SCHEMAS[type]).toBeDefined();
    expect(Events.caseChanged(EventTypes.CaseOpened, caseLifecycleData()).source).toBe(EventSources.Rectification);
    expect(Events.deadLettered({ consumer: 'c', topic: 't', reason: 'r', event: null }, { source: EventSources.Statistics }).source).toBe(
      EventSources.Statistics,
    );
  });
});
