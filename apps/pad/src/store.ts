// What the PAD keeps in IndexedDB (through `idb`): its credentials, the offline queue of
// ratings not yet acknowledged, and the ratings the server rejected, kept aside with the reason.
import { type DBSchema, type IDBPDatabase, openDB } from 'idb';

export interface Credentials {
  deviceId: string;
  secret: string;
  unitCode: string;
  unitName: string;
  windowNo: string;
  label: string | null;
  pairedAt: string;
}

export interface RatingBody {
  serviceRecordId: string;
  serviceItemCode: string;
  serviceItemName?: string;
  staffId?: string;
  level: number;
  tags?: string[];
  comment?: string;
  reviewer?: { phone: string };
  ratedAt: string;
}

export interface QueuedRating {
  id: string;
  /** The device that took it: a PAD paired anew uploads only its own ratings. */
  deviceId: string;
  rating: RatingBody;
  queuedAt: string;
}

export interface RejectedRating extends QueuedRating {
  rejectedAt: string;
  errors: Array<{ field: string; message: string }>;
}

interface PadDb extends DBSchema {
  config: { key: string; value: Credentials };
  queue: { key: string; value: QueuedRating; indexes: { queuedAt: string } };
  rejected: { key: string; value: RejectedRating };
}

let db: Promise<IDBPDatabase<PadDb>> | null = null;

function open(): Promise<IDBPDatabase<PadDb>> {
  db ??= openDB<PadDb>('gov-review-pad', 1, {
    upgrade(database) {
      database.createObjectStore('config');
      database.createObjectStore('queue', { keyPath: 'id' }).createIndex('queuedAt', 'queuedAt');
      database.createObjectStore('rejected', { keyPath: 'id' });
    },
  });
  return db;
}

export async function loadCredentials(): Promise<Credentials | null> {
  return (await (await open()).get('config', 'credentials')) ?? null;
}

export async function saveCredentials(credentials: Credentials): Promise<void> {
  await (await open()).put('config', credentials, 'credentials');
}

export async function clearCredentials(): Promise<void> {
  await (await open()).delete('config', 'credentials');
}

export async function enqueue(deviceId: string, rating: RatingBody): Promise<QueuedRating> {
  const item: QueuedRating = { id: crypto.randomUUID(), deviceId, rating, queuedAt: new Date().toISOString() };
  await (await open()).put('queue', item);
  return item;
}

/** The oldest queued ratings first. */
export async function queued(limit: number): Promise<QueuedRating[]> {
  return (await open()).getAllFromIndex('queue', 'queuedAt', null, limit);
}

export async function queueLength(): Promise<number> {
  return (await open()).count('queue');
}

export async function rejectedCount(): Promise<number> {
  return (await open()).count('rejected');
}

/** Removes acknowledged items and moves rejected ones aside, in one transaction. */
export async function settle(acknowledged: string[], rejected: RejectedRating[]): Promise<void> {
  const tx = (await open()).transaction(['queue', 'rejected'], 'readwrite');
  const queue = tx.objectStore('queue');
  const aside = tx.objectStore('rejected');
  await Promise.all([
    ...acknowledged.map((id) => queue.delete(id)),
    ...rejected.map(async (item) => {
      await aside.put(item);
      await queue.delete(item.id);
    }),
    tx.done,
  ]);
}
