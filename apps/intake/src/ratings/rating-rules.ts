import { createHash } from 'node:crypto';

/** Misuse protection (刷评): more than BURST_MAX_RATINGS ratings from one device whose ratedAt fall within BURST_WINDOW_SECONDS. */
export const BURST_MAX_RATINGS = 5;
export const BURST_WINDOW_SECONDS = 10;
export const BURST_REASON = `BURST: more than ${BURST_MAX_RATINGS} ratings from one device with ratedAt within ${BURST_WINDOW_SECONDS} s`;

/**
 * The same limit on arrival, for live single ratings: more than ARRIVAL_BURST_MAX_RATINGS of a device's
 * live ratings received within ARRIVAL_BURST_WINDOW_SECONDS, whatever ratedAt they claim. Offline batch
 * items are left out (a backlog legitimately arrives at once; its ratedAt spacing is what counts).
 */
export const ARRIVAL_BURST_MAX_RATINGS = 5;
export const ARRIVAL_BURST_WINDOW_SECONDS = 10;
export const ARRIVAL_BURST_REASON = `BURST: more than ${ARRIVAL_BURST_MAX_RATINGS} live ratings from one device received within ${ARRIVAL_BURST_WINDOW_SECONDS} s`;

/**
 * Canonical JSON (sorted keys, undefined dropped) so that an identical retry hashes identically.
 * Stored hashes depend on these exact bytes: rating-rules.spec.ts pins them against the first
 * (map/filter/join) formulation; this one only allocates less.
 */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out += canonical(value[i]) ?? ''; // as Array#join renders an undefined element
    }
    return `${out}]`;
  }
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    let out = '{';
    let first = true;
    for (const k of keys) {
      const v = record[k];
      if (v === undefined) continue;
      if (!first) out += ',';
      first = false;
      out += `${JSON.stringify(k)}:${canonical(v)}`;
    }
    return `${out}}`;
  }
  return JSON.stringify(value);
}

/** SHA-256 of the canonical body: same hash → identical retry (duplicate), different → conflict. */
export function bodyHash(body: object): string {
  return createHash('sha256').update(canonical(body)).digest('hex');
}

/**
 * The reference definition of a burst, used by tests against the SQL: every rating in
 * any window [t, t + 10 s] that holds more than 5 ratings of the same device is suspect.
 */
export function burstMembers(ratedAtMs: number[], windowSeconds = BURST_WINDOW_SECONDS, max = BURST_MAX_RATINGS): Set<number> {
  const sorted = ratedAtMs.map((t, i) => ({ t, i })).sort((a, b) => a.t - b.t);
  const out = new Set<number>();
  let end = 0;
  for (let start = 0; start < sorted.length; start++) {
    if (end < start) end = start;
    while (end + 1 < sorted.length && sorted[end + 1]!.t - sorted[start]!.t <= windowSeconds * 1000) end++;
    if (end - start + 1 > max) for (let k = start; k <= end; k++) out.add(sorted[k]!.i);
  }
  return out;
}

export interface BurstRating {
  ratedAtMs: number;
  receivedAtMs: number;
  /** A live single rating (POST /ratings), not an offline batch item. */
  live: boolean;
}

/**
 * The reference definition of both burst rules over one device's ratings: the index of every
 * suspect rating with its reason — the ratedAt rule's when both apply. write_pad_ratings
 * (migration 1733300000000) applies the same rules incrementally; a seeded-random test compares them.
 */
export function suspectReasons(ratings: BurstRating[]): Map<number, string> {
  const out = new Map<number, string>();
  for (const i of burstMembers(ratings.map((r) => r.ratedAtMs))) out.set(i, BURST_REASON);
  const live = ratings.map((r, i) => ({ r, i })).filter((x) => x.r.live);
  const arrival = burstMembers(
    live.map((x) => x.r.receivedAtMs),
    ARRIVAL_BURST_WINDOW_SECONDS,
    ARRIVAL_BURST_MAX_RATINGS,
  );
  for (const k of arrival) if (!out.has(live[k]!.i)) out.set(live[k]!.i, ARRIVAL_BURST_REASON);
  return out;
}
