/**
 * Quarter publishing rules (API.md § Publishing a quarter). Plain functions, no framework.
 */
import { CHINA_ZONE, type Quarter, quarterRange } from '#libs/common';
import { DateTime } from 'luxon';
import type { ChangeSincePublished, QuarterlyReport } from '../reports/domain/report.js';

/** The scope key of the whole district's snapshot (unit snapshots use the unit code). */
export const DISTRICT_SCOPE = '';

/** A quarter has ended once its last Shanghai calendar day is over. */
export function quarterEnded(q: Quarter, now: Date): boolean {
  const end = DateTime.fromISO(quarterRange(q).to, { zone: CHINA_ZONE }).plus({ days: 1 }).startOf('day');
  return now.getTime() >= end.toMillis();
}

/** How far the live figures have moved from the published ones, or null when they have not. */
export function changeSincePublished(published: QuarterlyReport, live: QuarterlyReport): ChangeSincePublished | null {
  const reviews = live.reviews.total - published.reviews.total;
  const bad = live.reviews.bad - published.reviews.bad;
  const publishedRate = published.reviews.goodRate;
  const liveRate = live.reviews.goodRate;
  if (reviews === 0 && bad === 0 && publishedRate === liveRate) return null;
  return { reviews, bad, goodRate: publishedRate === null || liveRate === null ? null : liveRate - publishedRate };
}

/**
 * The JSON served for a published quarter: the frozen report's bytes as stored, with
 * `changedSincePublished` appended as the last member — so the frozen part never changes by a byte.
 */
export function publishedJson(frozen: string, change: ChangeSincePublished | null): string {
  if (!frozen.endsWith('}')) throw new Error('a stored snapshot is not a JSON object');
  return `${frozen.slice(0, -1)},"changedSincePublished":${JSON.stringify(change)}}`;
}
