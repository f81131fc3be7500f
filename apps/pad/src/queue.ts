// The offline queue: every rating is stored in IndexedDB first and then uploaded through
// POST /ratings/batch. An item leaves the queue only when the server answers `created` or
// `duplicate` for it; a `rejected` one is moved aside with its reason, never retried.
import { type BatchResult, signedJson } from './api';
import { type Credentials, queued, type RejectedRating, settle } from './store';

const BATCH_ITEMS = 500;

let running: Promise<void> | null = null;
let again = false;

/** Uploads everything queued for this device; concurrent calls share one upload (and trigger another pass). */
export function flushQueue(credentials: Credentials): Promise<void> {
  again = true;
  running ??= drain(credentials).finally(() => {
    running = null;
  });
  return running;
}

async function drain(credentials: Credentials): Promise<void> {
  while (again) {
    again = false;
    for (;;) {
      const items = (await queued(BATCH_ITEMS * 4)).filter((item) => item.deviceId === credentials.deviceId).slice(0, BATCH_ITEMS);
      if (items.length === 0) break;
      const { results } = await signedJson<BatchResult>(credentials, 'POST', '/api/v1/ratings/batch', {
        ratings: items.map((item) => item.rating),
      });
      const acknowledged: string[] = [];
      const rejected: RejectedRating[] = [];
      for (const result of results) {
        const item = items[result.index];
        if (!item) continue;
        if (result.status === 'created' || result.status === 'duplicate') acknowledged.push(item.id);
        else rejected.push({ ...item, rejectedAt: new Date().toISOString(), errors: result.errors ?? [] });
      }
      await settle(acknowledged, rejected);
      if (acknowledged.length + rejected.length === 0) return; // the answer named none of them: try again later
    }
  }
}
