import cluster from 'node:cluster';
import { loadEnv } from '#libs/common';
import { runService } from '#libs/platform';
import { AccountsService } from './accounts/accounts.service.js';
import { INTAKE_APP, IntakeModule } from './intake.module.js';

/**
 * INTAKE_WORKERS=n (default 1) runs n intake processes behind one port (node:cluster,
 * connections handed out round-robin by the primary). Each worker is a complete intake
 * instance, as several replicas would be: the rating writer is multi-instance safe
 * (unique index + per-device advisory lock), migrations and the outbox relay take
 * advisory locks. In-memory state is per worker: per-device rate-limit buckets
 * (a device spread over n workers may get up to n× its limit) and the 5 s credential cache.
 */
function workerCount(): number {
  try {
    return loadEnv(process.env).INTAKE_WORKERS; // a bad variable is named once, before any worker starts
  } catch (err) {
    process.stderr.write(`intake: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}

const workers = cluster.isPrimary ? workerCount() : 1;

if (workers > 1) {
  let stopping = false;
  const listening = new Set<number>();
  const fork = () =>
    cluster.fork().on('listening', function (this: { id: number }) {
      listening.add(this.id);
    });
  for (let i = 0; i < workers; i++) fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(process.exitCode ?? 0);
      return;
    }
    if (!listening.has(worker.id)) {
      // Failed while starting (database unreachable, …): fail like a single process would.
      process.stderr.write(`intake: worker ${worker.process.pid} exited during start-up (${signal ?? code}); stopping\n`);
      stopping = true;
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
      process.exitCode = code || 1;
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(process.exitCode);
      return;
    }
    process.stderr.write(`intake: worker ${worker.process.pid} died (${signal ?? code}); starting another\n`);
    setTimeout(fork, 1000);
  });
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.on(sig, () => {
      stopping = true;
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill(sig);
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(process.exitCode ?? 0);
    });
  }
} else {
  await runService(
    IntakeModule,
    INTAKE_APP,
    (env) => env.INTAKE_PORT,
    async (app) => {
      // A fresh registry gets its first console admin; the one-time password goes to stdout, never to the logs.
      // Under node:cluster the first worker alone does it (each would otherwise print a new password).
      if (cluster.isWorker && cluster.worker?.id !== 1) return;
      const first = await app.get(AccountsService).ensureFirstAdmin();
      if (first) process.stdout.write(`intake: console admin "${first.username}", one-time password: ${first.password}\n`);
    },
  );
}
