import { chunksBySize } from './publishers.js';

const record = (i: number, size: number) => ({ topic: 't', key: `k${i}`, value: 'x'.repeat(size), eventId: String(i) });

describe('chunksBySize', () => {
  it('keeps records in order, in chunks under the limit, and one oversized record alone', () => {
    const records = [record(1, 300), record(2, 300), record(3, 300), record(4, 2_000), record(5, 10)];
    const chunks = chunksBySize(records, 800);
    expect(chunks.map((c) => c.map((r) => r.eventId))).toEqual([['1', '2'], ['3'], ['4'], ['5']]);
    expect(chunks.flat()).toEqual(records);
  });

  it('sends everything in one chunk when it fits', () => {
    expect(chunksBySize([record(1, 10), record(2, 10)], 1_000)).toHaveLength(1);
    expect(chunksBySize([], 1_000)).toEqual([]);
  });
});
