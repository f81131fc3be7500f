import type { BusEvent } from './embedded-bus.js';
import { byKeyGroup } from './embedded-bus.server.js';

const event = (seq: number, key: string): BusEvent => ({ seq: String(seq), topic: 't', message_key: key, value: { seq } });

describe('the embedded bus splits a read by key, like partitions', () => {
  const keys = Array.from({ length: 40 }, (_, i) => `CN-${String(i).padStart(2, '0')}`);
  const list = Array.from({ length: 2_000 }, (_, i) => event(i + 1, keys[(i * 7) % keys.length]!));

  it('puts every event of a key into one batch, in log order, in at most N batches that hold every event once', () => {
    const batches = byKeyGroup(list, 3);
    expect(batches.length).toBeLessThanOrEqual(3);
    expect(batches.length).toBeGreaterThan(1);
    expect(
      batches
        .flat()
        .map((e) => Number(e.seq))
        .sort((a, b) => a - b),
    ).toEqual(list.map((e) => Number(e.seq)));
    for (const key of keys) {
      const holding = batches.filter((b) => b.some((e) => e.message_key === key));
      expect(holding).toHaveLength(1);
      const seqs = holding[0]!.filter((e) => e.message_key === key).map((e) => Number(e.seq));
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    }
  });

  it('gives a key the same batch in every read (the group depends on the key alone)', () => {
    const groupOf = (batches: BusEvent[][], key: string) => batches.findIndex((b) => b.some((e) => e.message_key === key));
    const a = byKeyGroup(list, 3);
    const b = byKeyGroup([...list].reverse(), 3);
    const together = (batches: BusEvent[][], k1: string, k2: string) => groupOf(batches, k1) === groupOf(batches, k2);
    for (const k of keys.slice(1)) expect(together(a, keys[0]!, k)).toBe(together(b, keys[0]!, k));
  });

  it('hands the whole read over as one batch when asked for one', () => {
    expect(byKeyGroup(list, 1)).toEqual([list]);
  });
});
