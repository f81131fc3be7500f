import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { RatingWriter } from './rating-writer.js';
import type { PreparedRating, RatingsRepository, WriteOutcome } from './ratings.repository.js';

const row = (id: string, deviceId = 'device-1'): PreparedRating => ({ id, deviceId, burstKey: deviceId }) as PreparedRating;

function harness(writeGroup: (rows: PreparedRating[]) => Promise<WriteOutcome[]>) {
  const groups: string[][] = [];
  const repository = {
    writeGroup: (rows: PreparedRating[]) => {
      groups.push(rows.map((r) => r.id));
      return writeGroup(rows);
    },
  } as unknown as RatingsRepository;
  return { writer: new RatingWriter(repository, { INTAKE_WRITE_LANES: 1, INTAKE_BATCH_LANES: 2, INTAKE_WRITE_GROUP: 1000 }), groups };
}

const created = (rows: PreparedRating[]): Promise<WriteOutcome[]> => Promise.resolve(rows.map((r) => ({ kind: 'created', id: r.id })));

describe('RatingWriter (group commit)', () => {
  it('coalesces requests that arrive together into one transaction and answers each with its own outcome', async () => {
    const { writer, groups } = harness(created);
    const outcomes = await Promise.all(['a', 'b', 'c'].map((id) => writer.write(row(id))));
    expect(groups).toEqual([['a', 'b', 'c']]);
    expect(outcomes).toEqual(['a', 'b', 'c'].map((id) => ({ kind: 'created', id })));
  });

  it('queues what arrives while a lane is busy into the next group', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let calls = 0;
    const { writer, groups } = harness(async (rows) => {
      if (calls++ === 0) await gate;
      return created(rows);
    });
    const first = writer.write(row('a'));
    await new Promise((r) => setImmediate(r));
    const later = [writer.write(row('b')), writer.write(row('c'))];
    release();
    await Promise.all([first, ...later]);
    expect(groups).toEqual([['a'], ['b', 'c']]);
  });

  it('writes offline batches on lanes of their own: a live rating never waits behind a backlog commit', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { writer, groups } = harness(async (rows) => {
      if (rows[0]!.id.startsWith('batch')) await gate;
      return created(rows);
    });
    const backlog = Promise.all(writer.writeAll([row('batch-1'), row('batch-2')]));
    await new Promise((r) => setImmediate(r));
    await expect(writer.write(row('live'))).resolves.toMatchObject({ kind: 'created', id: 'live' });
    expect(groups).toEqual([['batch-1', 'batch-2'], ['live']]);
    release();
    expect(await backlog).toEqual(['batch-1', 'batch-2'].map((id) => ({ kind: 'created', id })));
  });

  it('retries a failed group one by one so that one bad rating does not fail its neighbours', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const { writer, groups } = harness((rows) =>
      rows.some((r) => r.id === 'bad') && rows.length > 1
        ? Promise.reject(new Error('boom'))
        : rows[0]!.id === 'bad'
          ? Promise.reject(new Error('bad row'))
          : created(rows),
    );
    const results = await Promise.allSettled(['a', 'bad', 'c'].map((id) => writer.write(row(id))));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(groups[0]).toEqual(['a', 'bad', 'c']);
    expect(groups.slice(1).sort()).toEqual([['a'], ['bad'], ['c']]);
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ size: 3 }), 'group write failed; retrying its ratings one by one');
    warn.mockRestore();
  });

  it('retries a group that hit a deadlock', async () => {
    let calls = 0;
    const { writer } = harness((rows) =>
      calls++ === 0 ? Promise.reject(Object.assign(new Error('deadlock detected'), { code: '40P01' })) : created(rows),
    );
    await expect(writer.write(row('a'))).resolves.toMatchObject({ kind: 'created', id: 'a' });
    expect(calls).toBe(2);
  });
});
