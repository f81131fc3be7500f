import { createHash } from 'node:crypto';

/** Misuse protection (刷评): more than BURST_MAX_RATINGS ratings from one device whose ratedAt fall within BURST_WINDOW_SECONDS. */
export const BURST_MAX_RATINGS = 5;
export const BURST_WINDOW_SECONDS = 10;
export const BURST_REASON = `BURST: more than ${BURST_MAX_RATINGS} ratings from one device with ratedAt within ${BURST_WINDOW_SECONDS} s`;

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
export function burstMembers(ratedAtMs: number[]): Set<number> {
  const sorted = ratedAtMs.map((t, i) => ({ t, i })).sort((a, b) => a.t - b.t);
  const out = new Set<number>();
  let end = 0;
  for (let start = 0; start < sorted.length; start++) {
    if (end < start) end = start;
    while (end + 1 < sorted.length && sorted[end + 1]!.t - sorted[start]!.t <= BURST_WINDOW_SECONDS * 1000) end++;
    if (end - start + 1 > BURST_MAX_RATINGS) for (let k = start; k <= end; k++) out.add(sorted[k]!.i);
  }
  return out;
}
