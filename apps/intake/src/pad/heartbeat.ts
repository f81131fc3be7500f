/** A PAD page reports every this often (the server tells it so in each heartbeat answer). */
export const HEARTBEAT_INTERVAL_MS = 30_000;
/** A device not heard from for this long (three missed heartbeats) is shown as offline in the registry. */
export const DEVICE_OFFLINE_AFTER_MS = 3 * HEARTBEAT_INTERVAL_MS;

export function isDeviceOnline(lastSeenAt: Date | null, now: Date): boolean {
  return lastSeenAt !== null && now.getTime() - lastSeenAt.getTime() < DEVICE_OFFLINE_AFTER_MS;
}
