/** What the all-in-one's host thread and its service threads and database process say to each other. */

export type ServiceName = 'intake' | 'rectification' | 'statistics';

/** Credentials intake's thread prepares for the welcome banner (the demo unit's PAD, a pairing code, the first admin). */
export interface DemoCredentials {
  device: { deviceId: string; secret: string };
  pairingCode: string;
  firstAdmin: { username: string; password: string } | null;
}

/** Host → service thread, and host → database process. */
export interface StopRequest {
  type: 'stop';
}

/** Service thread → host. */
export type ServiceReport = { type: 'ready'; service: ServiceName; demo?: DemoCredentials } | { type: 'stopped'; service: ServiceName };

/** Database process → host. */
export type DatabaseReport =
  { type: 'ready'; url: string; databaseDir: string } | { type: 'failed'; message: string } | { type: 'stopped' };
