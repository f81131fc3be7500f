import { randomBytes } from 'node:crypto';
import { DataCipher } from '#libs/common';
import type { OutboxService } from '#libs/messaging';
import type { AuditService } from '../accounts/audit.service.js';
import type { UnitsService } from '../registry/units.service.js';
import type { RatingViewsRepository } from './rating-views.repository.js';
import type { DevicesService } from '../registry/devices.service.js';
import type { RatingWriter } from './rating-writer.js';
import type { RejectedUploadsRepository } from './rejected-uploads.repository.js';
import type { RejectedItem } from './rejection-reasons.js';
import type { PreparedRating, WriteOutcome } from './ratings.repository.js';
import { isItemLevelDbError, RatingsService } from './ratings.service.js';

const device = { kind: 'device' as const, deviceId: '00000000-0000-4000-8000-000000000001', unitCode: 'CN-01', windowNo: 'A1' };
const item = (id: string, over: Record<string, unknown> = {}) => ({
  serviceRecordId: id,
  serviceItemCode: 'X-1',
  level: 5,
  ratedAt: new Date(Date.now() - 60_000).toISOString(),
  ...over,
});
const dbError = (code: string) => Object.assign(new Error(`db ${code}`), { driverError: { code } });

/** What the service asked to keep of refused items, per call. */
let recorded: Array<{ deviceId: string; unitCode: string; items: RejectedItem[] }> = [];

/** A batch against a writer whose outcome per service record is scripted: an outcome, or a database error. */
function serviceWith(script: Record<string, WriteOutcome['kind'] | Error>) {
  recorded = [];
  const rejectedUploads = {
    record: (deviceId: string, unitCode: string, items: RejectedItem[]) => {
      recorded.push({ deviceId, unitCode, items });
      return Promise.resolve();
    },
  } as unknown as RejectedUploadsRepository;
  const writer = {
    writeAll: (rows: PreparedRating[]) =>
      rows.map((r) => {
        const o = script[r.serviceRecordId] ?? 'created';
        return o instanceof Error ? Promise.reject(o) : Promise.resolve({ kind: o, id: r.id } as WriteOutcome);
      }),
  } as unknown as RatingWriter;
  const registry = { requireUnit: () => Promise.resolve({ code: 'CN-01', name: '一' }) } as unknown as UnitsService;
  return new RatingsService(
    {} as RatingViewsRepository,
    {} as OutboxService,
    registry,
    new DataCipher(randomBytes(32).toString('hex')),
    writer,
    {} as AuditService,
    rejectedUploads,
    {} as DevicesService,
  );
}

describe('RatingsService.submitBatch: one bad item never fails the others', () => {
  it('rejects the items only the database refuses (data exceptions, constraint violations), storing the rest: 200, never 500', async () => {
    const service = serviceWith({ B: dbError('22P05'), C: dbError('23514'), D: 'duplicate' });
    const { results } = await service.submitBatch(device, [item('A'), item('B'), item('C'), item('D'), item('E', { comment: 'x\u0000' })]);
    expect(results.map((r) => [r.index, r.status])).toEqual([
      [0, 'created'],
      [1, 'rejected'],
      [2, 'rejected'],
      [3, 'duplicate'],
      [4, 'rejected'],
    ]);
    expect(results[1]!.errors).toEqual([{ field: '', message: 'could not be stored: a value is out of range' }]);
    expect(results[4]!.errors).toEqual([{ field: 'comment', message: 'must not contain NUL (\\u0000) characters' }]);
    expect(results[0]!.id).toEqual(expect.any(String));
  });

  it('keeps each refused item with its index, service record id and errors (the PAD counts them as 未通过)', async () => {
    const service = serviceWith({ B: dbError('22P05'), D: 'conflict' });
    await service.submitBatch(device, [
      item('A'),
      item('B'),
      item('C', { level: 9, reviewer: { phone: '123' } }),
      item('D'),
      { serviceRecordId: 'E\u0000'.padEnd(300, 'x'), level: 1 },
      'not an object',
    ]);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]!.deviceId).toBe(device.deviceId);
    expect(recorded[0]!.unitCode).toBe('CN-01');
    const items = recorded[0]!.items;
    expect(items.map((i) => [i.index, i.serviceRecordId?.slice(0, 2) ?? null])).toEqual([
      [1, 'B'],
      [2, 'C'],
      [3, 'D'],
      [4, 'E\uFFFD'],
      [5, null],
    ]);
    expect(items[0]!.errors).toEqual([{ field: '', message: 'could not be stored: a value is out of range' }]);
    expect(items[1]!.errors.map((e) => e.field).sort()).toEqual(['level', 'reviewer.phone']);
    expect(items[2]!.errors).toEqual([
      { field: 'serviceRecordId', message: 'ALREADY_RATED: has already been rated with a different body' },
    ]);
    expect(items[3]!.serviceRecordId).toHaveLength(200);
  });

  it('hands over no item when nothing was refused (the repository then writes nothing)', async () => {
    const service = serviceWith({ B: 'duplicate' });
    await service.submitBatch(device, [item('A'), item('B')]);
    expect(recorded).toEqual([{ deviceId: device.deviceId, unitCode: 'CN-01', items: [] }]);
  });

  it('fails the request on a database failure that is not about an item (the client retries the whole batch)', async () => {
    const lost = Object.assign(new Error('Connection terminated'), { code: 'ECONNRESET' });
    await expect(serviceWith({ B: lost }).submitBatch(device, [item('A'), item('B')])).rejects.toBe(lost);
  });

  it('classifies SQLSTATE classes 22, 23 and 54 as item-level, nothing else', () => {
    for (const code of ['22P05', '22003', '22021', '23502', '23514', '54000']) expect(isItemLevelDbError(dbError(code))).toBe(true);
    for (const code of ['40001', '40P01', '57P01', '08006', '53300']) expect(isItemLevelDbError(dbError(code))).toBe(false);
    expect(isItemLevelDbError(new Error('plain'))).toBe(false);
    expect(isItemLevelDbError(null)).toBe(false);
  });
});
