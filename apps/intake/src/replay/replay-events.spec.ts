import { eventDataErrors, EventTypes, isReplayed, Topics } from '#libs/contracts';
import type { ReviewEntity } from '../ratings/review.entity.js';
import type { UnresolvedReportEntity } from '../unresolved/unresolved-report.entity.js';
import { reviewReplayEvent, unitReplayEvents, unresolvedReplayEvent } from './replay-events.js';

const REPLAY = '7d1f5a9e-3c2b-4e8f-9a61-2b3c4d5e6f70';

const pad = {
  id: '11111111-2222-4333-8444-555555555555',
  unitCode: 'CN-01',
  channel: 'PAD',
  serviceRecordId: 'SR-1',
  stage: 'ACCEPTANCE',
  serviceItemCode: 'X-1',
  serviceItemName: '食品经营许可',
  staffId: 'S1',
  windowNo: 'A01',
  level: 2,
  grade: 'BAD',
  tags: ['ATTITUDE'],
  comment: '等了很久',
  contactSealed: 'sealed',
  contactMaskedName: '张*',
  contactMaskedPhone: '138****8000',
  ratedAt: new Date('2024-11-20T01:30:00Z'),
  receivedAt: new Date('2024-11-20T01:30:03Z'),
  suspect: true,
  suspectReason: 'BURST',
  hotlineReceivedAt: null,
  ticketId: null,
  hotlineClientId: null,
  category: null,
  dueAt: null,
  imported: false,
  handling: null,
} as unknown as ReviewEntity;

describe('intake replay events: each fact as it stands, in the contract', () => {
  it('re-sends a PAD review with its stage and its current 刷评 flag, marked as a replay', () => {
    const entry = reviewReplayEvent(pad, '区市场监督管理局', REPLAY);
    expect(entry).toMatchObject({ topic: Topics.ReviewsSubmitted, key: 'CN-01' });
    expect(entry.event).toMatchObject({ type: EventTypes.ReviewSubmitted, subject: pad.id, replay: REPLAY });
    expect(isReplayed(entry.event)).toBe(true);
    expect(eventDataErrors(entry.event)).toEqual([]);
    expect(entry.event.data).toMatchObject({
      reviewId: pad.id,
      unitName: '区市场监督管理局',
      stage: 'ACCEPTANCE',
      level: 2,
      suspect: true,
      suspectReason: 'BURST',
      ratedAt: '2024-11-20T01:30:00.000Z',
      contact: { sealed: 'sealed', maskedName: '张*', maskedPhone: '138****8000' },
    });
    expect(entry.event.data).not.toHaveProperty('imported');
    expect(entry.event.data).not.toHaveProperty('handling');
  });

  it('re-sends a 12345 transfer without a stage, and an imported review with its handling', () => {
    const hotline = reviewReplayEvent(
      {
        ...pad,
        channel: 'HOTLINE_12345',
        stage: 'COMPLETION',
        level: null,
        category: 'REQUEST',
        grade: 'NONE',
        tags: [],
        ticketId: 'T-1',
        hotlineReceivedAt: new Date('2024-11-19T00:00:00Z'),
        dueAt: new Date('2024-11-25T00:00:00Z'),
      } as unknown as ReviewEntity,
      '区',
      REPLAY,
    );
    expect(eventDataErrors(hotline.event)).toEqual([]);
    expect(hotline.event.data).not.toHaveProperty('stage');
    expect(hotline.event.data).toMatchObject({ category: 'REQUEST', hotlineReceivedAt: '2024-11-19T00:00:00.000Z', ticketId: 'T-1' });
    const handling = { respondedAt: '2024-11-20T05:00:00.000Z', respondedOnTime: true, outcome: 'EXPLAINED', closedAt: null };
    const imported = reviewReplayEvent({ ...pad, imported: true, handling } as unknown as ReviewEntity, '区', REPLAY);
    expect(eventDataErrors(imported.event)).toEqual([]);
    expect(imported.event.data).toMatchObject({ imported: true, handling });
  });

  it('re-sends a unit as registered, and a disabled one also as updated, both before its reviews on its key', () => {
    const unit = { code: 'CN-03', name: '区统计局', createdAt: new Date('2024-01-01T00:00:00Z'), disabledAt: null };
    expect(unitReplayEvents(unit, REPLAY).map((e) => [e.key, e.event.type])).toEqual([['CN-03', EventTypes.UnitRegistered]]);
    const disabled = unitReplayEvents({ ...unit, disabledAt: new Date('2024-10-01T02:00:00Z') }, REPLAY);
    expect(disabled.map((e) => e.event.type)).toEqual([EventTypes.UnitRegistered, EventTypes.UnitUpdated]);
    expect(disabled[1]!.event.data).toEqual({
      unitCode: 'CN-03',
      unitName: '区统计局',
      disabled: true,
      disabledAt: '2024-10-01T02:00:00.000Z',
      updatedAt: '2024-10-01T02:00:00.000Z',
    });
    for (const e of disabled) expect(eventDataErrors(e.event)).toEqual([]);
  });

  it('re-sends a 办不成事 report', () => {
    const report = {
      id: '22222222-2222-4333-8444-555555555555',
      unitCode: 'CN-01',
      matter: '跨区迁移',
      description: '系统不支持',
      serviceItemCode: null,
      contactSealed: null,
      contactMaskedName: null,
      contactMaskedPhone: null,
      reportedAt: new Date('2024-11-21T02:00:00Z'),
      reportedBy: 'op-1',
    } as unknown as UnresolvedReportEntity;
    const entry = unresolvedReplayEvent(report, '区市场监督管理局', REPLAY);
    expect(entry).toMatchObject({ topic: Topics.UnresolvedReported, key: 'CN-01' });
    expect(eventDataErrors(entry.event)).toEqual([]);
    expect(entry.event).toMatchObject({ replay: REPLAY, data: { reportId: report.id, reportedAt: '2024-11-21T02:00:00.000Z' } });
  });
});
