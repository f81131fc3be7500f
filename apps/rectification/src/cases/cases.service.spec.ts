import type { Repository } from 'typeorm';
import type { UserPrincipal } from '#libs/auth';
import { DomainError, ErrorCode } from '#libs/common';
import type { OutboxService } from '#libs/messaging';
import type { CalendarService } from '../calendar/calendar.service.js';
import { type CaseEntity, type CaseTimelineEntry, SEALED_TEXT } from './case.entity.js';
import { CasesService } from './cases.service.js';

const CASE_ID = '3b0c1c9e-4f7a-4d2b-9a51-1e2f3a4b5c6d';
const opened = new Date('2026-11-20T02:00:00.000Z');

const stored = (over: Partial<CaseEntity> = {}): CaseEntity =>
  ({
    id: CASE_ID,
    source: 'BAD_REVIEW',
    unitCode: 'CN-01',
    unitName: '区市场监督管理局',
    reviewId: '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    reportId: null,
    ticketId: null,
    hotlineClientId: null,
    status: 'PENDING',
    outcome: null,
    openedAt: opened,
    responseDueAt: new Date('2026-11-20T15:59:59.999Z'),
    rectifyDueAt: new Date('2026-11-27T15:59:59.999Z'),
    deadlineProvisional: false,
    respondedAt: null,
    respondedOnTime: null,
    rectifiedAt: null,
    closedAt: null,
    overdue: false,
    reopenedCount: 0,
    urgeCount: 0,
    workflow: {},
    matter: { level: 1 },
    contactSealed: 'sealed',
    contactMaskedName: '张*',
    contactMaskedPhone: '138****5678',
    publishable: false,
    publishedMatter: null,
    publishedMeasures: null,
    publicationChangedAt: null,
    version: 1,
    ...over,
  }) as CaseEntity;

function serviceWith(found: CaseEntity | null, entries: Partial<CaseTimelineEntry>[] = []) {
  const lookups = { timeline: 0 };
  const cases = { findOneBy: () => Promise.resolve(found) } as unknown as Repository<CaseEntity>;
  const timeline = {
    find: () => {
      lookups.timeline += 1;
      return Promise.resolve(entries);
    },
  } as unknown as Repository<CaseTimelineEntry>;
  return { lookups, service: new CasesService(cases, timeline, {} as CalendarService, {} as OutboxService) };
}

const operator = (unitCode: string): UserPrincipal => ({ kind: 'user', sub: 'op-1', role: 'unit_operator', unitCode });
const supervisor: UserPrincipal = { kind: 'user', sub: 'sv-1', role: 'supervisor', unitCode: null };

describe('CasesService.get: the access check lives with the lookup', () => {
  it("answers the case unit's operator with the view, the timeline (sealed originals left inside) and the actions open to them", async () => {
    const { service } = serviceWith(stored(), [
      { action: 'opened', actor: 'system', actorRole: null, note: null, data: {}, at: opened },
      { action: 'respond', actor: 'op-1', actorRole: 'unit_operator', note: '已联系', data: { a: 1, [SEALED_TEXT]: 'x' }, at: opened },
    ]);
    const view = await service.get(operator('CN-01'), CASE_ID);
    expect(view).toMatchObject({
      id: CASE_ID,
      unitCode: 'CN-01',
      status: 'PENDING',
      openedAt: '2026-11-20T02:00:00.000Z',
      contact: { name: '张*', phone: '138****5678' },
      extension: null,
      actions: ['accept'],
    });
    expect(view.timeline).toEqual([
      { action: 'opened', actor: 'system', actorRole: null, note: null, data: {}, at: '2026-11-20T02:00:00.000Z' },
      { action: 'respond', actor: 'op-1', actorRole: 'unit_operator', note: '已联系', data: { a: 1 }, at: '2026-11-20T02:00:00.000Z' },
    ]);
    expect(view).not.toHaveProperty('contactSealed');
  });

  it('offers a supervisor its own actions on the same case', async () => {
    const { service } = serviceWith(stored());
    expect((await service.get(supervisor, CASE_ID)).actions).toEqual(['urge']);
  });

  it("refuses another unit's operator with FORBIDDEN_UNIT before reading the timeline", async () => {
    const { service, lookups } = serviceWith(stored());
    const refused = service.get(operator('CN-02'), CASE_ID);
    await expect(refused).rejects.toBeInstanceOf(DomainError);
    await expect(refused).rejects.toMatchObject({ code: ErrorCode.ForbiddenUnit });
    expect(lookups.timeline).toBe(0);
  });

  it('answers NOT_FOUND for an unknown case, whoever asks', async () => {
    const { service } = serviceWith(null);
    await expect(service.get(operator('CN-02'), CASE_ID)).rejects.toMatchObject({ code: ErrorCode.NotFound });
  });
});
