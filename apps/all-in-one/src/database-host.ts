import { join } from 'node:path';
import { type EmbeddedDatabase, EmbeddedPostgresError, startEmbeddedPostgres } from '#libs/database';
import type { DatabaseReport, StopRequest } from './messages.js';

/**
 * The embedded PostgreSQL of `npm start`, in a process of its own session (the host forks it
 * detached). Ctrl-C on a terminal signals the whole foreground process group: were the server
 * in it, it would shut down at once while the services still drain into it. Here only the host
 * hears the signal; it stops the services, then asks this process to stop the server.
 * Should the host die without asking, the closed IPC channel stops the server all the same.
 */
const send = (report: DatabaseReport) => new Promise<void>((resolve) => process.send!(report, () => resolve()));

let database: EmbeddedDatabase | null = null;
let stopping: Promise<void> | null = null;
const stop = (): Promise<void> =>
  (stopping ??= (async () => {
    await database?.stop();
    if (process.connected) await send({ type: 'stopped' });
    process.exit(0);
  })());

process.on('message', (message: StopRequest) => {
  if (message.type === 'stop') void stop();
});
process.on('disconnect', () => void stop());
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop());

try {
  database = await startEmbeddedPostgres({
    databaseDir: join(process.cwd(), '.data', 'postgres'),
    settings: { shared_buffers: '128MB', fsync: 'on' },
    stopOnSignals: false,
  });
  await send({ type: 'ready', url: database.url, databaseDir: database.databaseDir });
} catch (err) {
  const message = err instanceof EmbeddedPostgresError ? err.message : `The embedded PostgreSQL did not start: ${String(err)}`;
  await send({ type: 'failed', message });
  process.exit(1);
}
