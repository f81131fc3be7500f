import { randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { UserPrincipal } from '#libs/auth';
import { DataCipher, ErrorCode } from '#libs/common';
import { EventTypes } from '#libs/contracts';
import type { OutboxEntry, OutboxService } from '#libs/messaging';
import type { AuditService } from '../accounts/audit.service.js';
import type { UnitsService } from '../registry/units.service.js';
import type { RatingViewsRepository, ReviewRow } from './rating-views.repository.js';
import type { DevicesService } from '../registry/devices.service.js';
import type { RatingWriter } from './rating-writer.js';
import type { RejectedUploadsRepository } from './rejected-uploads.repository.js';
import { RatingsService } from './ratings.service.js';

const ID = '9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const supervisor: UserPrincipal = { kind: 'user', sub: 'sv-1', role: 'supervisor', unitCode: null };
const operator = (unitCode: string): UserPrincipal => ({ kind: 'user', sub: 'op-1', role: 'unit_operator', unitCode });

const row = (over: Partial<ReviewRow> = {}): ReviewRow => ({
  id: ID,
  unit_code: 'CN-01',
  channel: 'PAD',
  stage: 'COMPLETION',
  service_record_id: 'SR-1',
  service_item_code: 'X-1',
  service_item_name: null,
  staff_id: null,
  window_no: 'A01',
  device_id: '00000000-0000-4000-8000-000000000001',
  level: 5,
  grade: 'GOOD',
  tags: [],
  comment: null,
  contact_masked_name: null,
  contact_masked_phone: null,
  rated_at: new Date('2026-11-20T02:00:00.000Z'),
  received_at: new Date('2026-11-20T02:00:01.000Z'),
  suspect: true,
  suspect_reason: 'BURST',
  suspect_cleared_at: null,
  suspect_cleared_by: null,
  suspect_confirmed_at: null,
  suspect_confirmed_by: null,
  ticket_id: null,
  ...over,
});

/** The service over an in-memory rating: what the repository is asked to do, and the events it writes. */
function serviceWith(stored: ReviewRow | undefined) {
  const calls: string[] = [];
  const events: OutboxEntry[] = [];
  const manager = {} as EntityManager;
  const views = {
    find: () => Promise.resolve(stored),
    page: (filter: unknown, page: number, pageSize: number) => {
      calls.push(`page ${JSON.stringify(filter)} ${page} ${pageSize}`);
      return Promise.resolve({ rows: stored ? [stored] : [], total: stored ? 1 : 0 });
    },
    transaction: <T>(work: (m: EntityManager) => Promise<T>) => work(manager),
    lockForUpdate: (m: EntityManager) => {
      calls.push(m === manager ? 'lock in transaction' : 'lock outside');
      return Promise.resolve(stored);
    },
    confirmSuspect: (_m: EntityManager, id: string, by: string) => {
      calls.push(`confirm ${id} by ${by}`);
      return Promise.resolve({ ...stored!, suspect_confirmed_at: new Date('2026-11-21T00:00:00.000Z'), suspect_confirmed_by: by });
    },
    clearSuspect: (_m: EntityManager, id: string, by: string) => {
      calls.push(`clear ${id} by ${by}`);
      return Promise.resolve({
        ...stored!,
        suspect: false,
        suspect_cleared_at: new Date('2026-11-21T00:00:00.000Z'),
        suspect_cleared_by: by,
      });
    },
  } as unknown as RatingViewsRepository;
  const outbox = {
    add: (m: EntityManager, entry: OutboxEntry) => {
      calls.push(m === manager ? 'event in transaction' : 'event outside');
      events.push(entry);
      return Promise.resolve();
    },
  } as unknown as OutboxService;
  const audit = {
    recordBy: (_user: UserPrincipal, action: string, _detail: unknown, m: EntityManager) => {
      calls.push(`audit ${action} ${m === manager ? 'in transaction' : 'outside'}`);
      return Promise.resolve();
    },
  } as unknown as AuditService;
  const service = new RatingsService(
    views,
    outbox,
    {} as UnitsService,
    new DataCipher(randomBytes(32).toString('hex')),
    {} as RatingWriter,
    audit,
    {} as RejectedUploadsRepository,
    {} as DevicesService,
  );
  return { service, calls, events };
}

describe('RatingsService over its repository', () => {
  it('clears a suspect rating and writes its suspect-changed event in the same transaction', async () => {
    const { service, calls, events } = serviceWith(row());
    const view = await service.clearSuspect(supervisor, ID);
    expect(view).toMatchObject({ id: ID, suspect: false, suspectClearedBy: 'sv-1', suspectClearedAt: '2026-11-21T00:00:00.000Z' });
    expect(calls).toEqual(['lock in transaction', `clear ${ID} by sv-1`, 'event in transaction', 'audit SUSPECT_CLEARED in transaction']);
    expect(events.map((e) => [e.event.type, e.event.data])).toEqual([
      [EventTypes.ReviewSuspectChanged, { reviewId: ID, unitCode: 'CN-01', suspect: false, reason: null }],
    ]);
  });

  it('confirms an open suspect as 刷评 (it stays flagged), re-stating the flag in the event, audited, in one transaction', async () => {
    const { service, calls, events } = serviceWith(row());
    expect(await service.confirmSuspect(supervisor, ID)).toMatchObject({
      id: ID,
      suspect: true,
      suspectStatus: 'CONFIRMED',
      suspectConfirmedBy: 'sv-1',
    });
    expect(calls).toEqual([
      'lock in transaction',
      `confirm ${ID} by sv-1`,
      'event in transaction',
      'audit SUSPECT_CONFIRMED in transaction',
    ]);
    expect(events.map((e) => e.event.data)).toEqual([{ reviewId: ID, unitCode: 'CN-01', suspect: true, reason: 'BURST' }]);
  });

  it('refuses to clear a confirmed suspect, and to confirm a cleared one (INVALID_TRANSITION), writing nothing', async () => {
    const confirmed = serviceWith(row({ suspect_confirmed_at: new Date('2026-11-21T00:00:00.000Z'), suspect_confirmed_by: 'sv-0' }));
    await expect(confirmed.service.clearSuspect(supervisor, ID)).rejects.toMatchObject({ code: ErrorCode.InvalidTransition });
    const cleared = serviceWith(row({ suspect: false, suspect_cleared_at: new Date('2026-11-21T00:00:00.000Z') }));
    await expect(cleared.service.confirmSuspect(supervisor, ID)).rejects.toMatchObject({ code: ErrorCode.InvalidTransition });
    expect([...confirmed.events, ...cleared.events]).toEqual([]);
  });

  it('answers an already cleared rating as it stands, writing nothing (idempotent)', async () => {
    const cleared = row({ suspect: false, suspect_cleared_at: new Date('2026-11-21T00:00:00.000Z'), suspect_cleared_by: 'sv-0' });
    const { service, calls, events } = serviceWith(cleared);
    expect(await service.clearSuspect(supervisor, ID)).toMatchObject({ suspect: false, suspectClearedBy: 'sv-0' });
    expect(calls).toEqual(['lock in transaction']);
    expect(events).toEqual([]);
  });

  it('refuses a rating that was never suspect (INVALID_TRANSITION) and an unknown one (NOT_FOUND)', async () => {
    await expect(serviceWith(row({ suspect: false })).service.clearSuspect(supervisor, ID)).rejects.toMatchObject({
      code: ErrorCode.InvalidTransition,
    });
    await expect(serviceWith(undefined).service.clearSuspect(supervisor, ID)).rejects.toMatchObject({ code: ErrorCode.NotFound });
  });

  it("shows a rating to its unit's operator with the quarter of ratedAt, and refuses another unit's", async () => {
    const { service } = serviceWith(row());
    expect(await service.get(operator('CN-01'), ID)).toMatchObject({
      id: ID,
      unitCode: 'CN-01',
      quarter: '2026-Q4',
      reviewer: { name: null },
    });
    await expect(service.get(operator('CN-02'), ID)).rejects.toMatchObject({ code: ErrorCode.ForbiddenUnit });
  });

  it("scopes a unit operator's list to the unit and reads the suspect filter as a boolean", async () => {
    const { service, calls } = serviceWith(row());
    const page = await service.list(operator('CN-01'), { suspect: 'true', page: 2, pageSize: 10 });
    expect(page).toMatchObject({ page: 2, pageSize: 10, total: 1 });
    expect(calls).toEqual([`page ${JSON.stringify({ unitCode: 'CN-01', suspect: true })} 2 10`]);
    await service.list(supervisor, {});
    expect(calls[1]).toBe(`page ${JSON.stringify({})} 1 50`);
  });
});
