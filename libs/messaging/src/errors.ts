import { isTransientDatabaseError } from '#libs/database';

/** The event can never be processed (malformed, invalid payload): it goes to the dead-letter topic. */
export class PoisonEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PoisonEventError';
  }
}

/** True for failures that may pass by themselves: lost connections, serialization conflicts, deadlocks. */
export function isTransient(err: unknown): boolean {
  if (err instanceof PoisonEventError) return false;
  return isTransientDatabaseError(err);
}
