import { randomUUID } from 'node:crypto';

/** A CloudEvents 1.0 envelope in structured JSON mode. */
export interface CloudEvent<T = unknown> {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  time: string;
  datacontenttype: 'application/json';
  subject?: string;
  /**
   * CloudEvents extension attribute: the id of the replay (POST /admin/replay) that re-sent this fact as it stands,
   * absent on an event of the change itself. Consumers that keep state from facts apply it like any event; those
   * that act on news (rectification opening cases) pass it over.
   */
  replay?: string;
  data: T;
}

export interface NewCloudEvent<T> {
  type: string;
  source: string;
  data: T;
  subject?: string;
  id?: string;
  time?: Date;
  replay?: string;
}

export function createCloudEvent<T>(init: NewCloudEvent<T>): CloudEvent<T> {
  return {
    specversion: '1.0',
    id: init.id ?? randomUUID(),
    source: init.source,
    type: init.type,
    time: (init.time ?? new Date()).toISOString(),
    datacontenttype: 'application/json',
    ...(init.subject === undefined ? {} : { subject: init.subject }),
    ...(init.replay === undefined ? {} : { replay: init.replay }),
    data: init.data,
  };
}

/** Structural check used by consumers before trusting an incoming envelope. */
export function isCloudEvent(value: unknown): value is CloudEvent {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    v.specversion === '1.0' &&
    typeof v.id === 'string' &&
    v.id.length > 0 &&
    typeof v.type === 'string' &&
    typeof v.source === 'string' &&
    typeof v.time === 'string' &&
    typeof v.data === 'object' &&
    v.data !== null
  );
}

/** Whether an event re-sends a fact as it stands (a replay) rather than telling a change. */
export function isReplayed(event: Pick<CloudEvent, 'replay'>): boolean {
  return typeof event.replay === 'string';
}
