const TRANSIENT_SQLSTATES = new Set(['40001', '40P01', '55P03', '57P01', '57P02', '57P03', '53300', '53400']);
const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);
const TRANSIENT_MESSAGES =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|the database system is (starting up|shutting down|in recovery mode)/i;

/**
 * True for database failures that may pass by themselves: lost or refused connections,
 * a server starting up or shutting down, serialization conflicts, deadlocks, lock
 * timeouts, too many connections. The one list: event consumers retry these, and
 * HTTP answers them 503 with Retry-After.
 */
export function isTransientDatabaseError(err: unknown, depth = 0): boolean {
  // Duck-typed, not `instanceof Error`: socket errors may come from another realm (a test sandbox).
  if (typeof err !== 'object' || err === null || depth > 4) return false;
  const e = err as { code?: unknown; message?: unknown; cause?: unknown; driverError?: { code?: unknown }; errors?: unknown };
  const code = e.driverError?.code ?? e.code;
  if (typeof code === 'string' && (code.startsWith('08') || TRANSIENT_SQLSTATES.has(code) || TRANSIENT_NODE_CODES.has(code))) return true;
  if (typeof e.message === 'string' && TRANSIENT_MESSAGES.test(e.message)) return true;
  // A refused dual-stack connect is an AggregateError; a wrapped failure keeps its cause.
  const inner = [...(Array.isArray(e.errors) ? (e.errors as unknown[]) : []), e.cause, e.driverError];
  return inner.some((x) => x !== err && isTransientDatabaseError(x, depth + 1));
}
