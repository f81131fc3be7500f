export default async function globalTeardown(): Promise<void> {
  const db = (globalThis as { __embeddedPostgres?: { stop(): Promise<void> } }).__embeddedPostgres;
  if (db) await db.stop();
}
