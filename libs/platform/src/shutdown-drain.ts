import { type BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { type Env, ENV } from '#libs/common';

/**
 * The first step of a graceful stop (SIGTERM, or `app.close()`): readiness turns 503 at once while the
 * process goes on serving for SHUTDOWN_DRAIN_MS, long enough for its load balancer to notice and send
 * nothing new. Only then does Nest close the HTTP server (which lets the requests under way finish) and run
 * the shutdown hooks that finish what the replica holds (the relay's flush, the consumers' batch, the group
 * commit), so a rolling restart fails no request.
 */
@Injectable()
export class ShutdownDrain implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Shutdown');
  private since: Date | null = null;

  constructor(@Inject(ENV) private readonly env: Env) {}

  /** When the stop began, while draining; null while the replica serves normally. */
  get drainingSince(): Date | null {
    return this.since;
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this.since = new Date();
    const waitMs = this.env.SHUTDOWN_DRAIN_MS;
    if (waitMs === 0) return;
    this.logger.log(`${signal ?? 'stop'}: not ready; serving ${waitMs} ms more while the load balancer takes this replica out`);
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}
