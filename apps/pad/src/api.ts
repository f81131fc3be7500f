// Signed calls to intake from the PAD page (same origin: the page is served by intake at /pad/).
import { signRequest } from './sign';
import type { Credentials } from './store';

export interface Problem {
  status: number;
  code: string;
  title?: string;
  detail?: string;
  errors?: Array<{ field: string; message: string }>;
}

/** The server answered with an error (problem+json). */
export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? problem.code);
  }
  get status(): number {
    return this.problem.status;
  }
  get code(): string {
    return this.problem.code;
  }
}

/** No answer at all: the network (or the server) is unreachable. */
export class NetworkError extends Error {}

/** Server time minus PAD time, learnt from heartbeats: X-Timestamp and ratedAt stay right on a PAD whose clock drifts. */
let clockOffsetMs = 0;

export function adjustClock(serverTime: string): void {
  const server = Date.parse(serverTime);
  if (!Number.isNaN(server)) clockOffsetMs = server - Date.now();
}

export function serverNow(): Date {
  return new Date(Date.now() + clockOffsetMs);
}

async function problemOf(response: Response): Promise<ApiError> {
  let body: Partial<Problem> = {};
  try {
    body = (await response.json()) as Partial<Problem>;
  } catch {
    // not JSON: a proxy's page
  }
  return new ApiError({ ...body, status: response.status, code: body.code ?? `HTTP_${response.status}` });
}

/** A device-signed request; `body` is sent exactly as signed. */
export async function signedFetch(
  credentials: Credentials,
  method: 'GET' | 'POST',
  path: string,
  body = '',
  signal?: AbortSignal,
  extraHeaders: Record<string, string> = {},
): Promise<Response> {
  const timestamp = String(serverNow().getTime());
  const headers: Record<string, string> = {
    ...extraHeaders,
    'X-Device-Id': credentials.deviceId,
    'X-Timestamp': timestamp,
    'X-Signature': await signRequest(credentials.secret, method, path, timestamp, body),
  };
  if (body) headers['Content-Type'] = 'application/json';
  try {
    return await fetch(path, { method, headers, body: body || undefined, signal, cache: 'no-store' });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new NetworkError(err instanceof Error ? err.message : String(err));
  }
}

export async function signedJson<T>(credentials: Credentials, method: 'GET' | 'POST', path: string, payload?: unknown): Promise<T> {
  const response = await signedFetch(credentials, method, path, payload === undefined ? '' : JSON.stringify(payload));
  if (!response.ok) throw await problemOf(response);
  return (await response.json()) as T;
}

export interface PairedDevice {
  deviceId: string;
  secret: string;
  unitCode: string;
  unitName: string;
  windowNo: string;
  label: string | null;
}

export async function exchangePairingCode(code: string): Promise<PairedDevice> {
  let response: Response;
  try {
    response = await fetch('/api/v1/pairing/exchange', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ code }),
      cache: 'no-store',
    });
  } catch (err) {
    throw new NetworkError(err instanceof Error ? err.message : String(err));
  }
  if (!response.ok) throw await problemOf(response);
  return (await response.json()) as PairedDevice;
}

export interface RatingTag {
  code: string;
  label: string;
}

/** The bad-review tags (the service worker keeps the last answer for offline starts). */
export async function ratingTags(): Promise<RatingTag[]> {
  const response = await fetch('/api/v1/rating-tags');
  if (!response.ok) throw await problemOf(response);
  return ((await response.json()) as { tags: RatingTag[] }).tags;
}

export interface HeartbeatReply {
  serverTime: string;
  nextHeartbeatInMs: number;
  device: { deviceId: string; unitCode: string; unitName: string; windowNo: string; label: string | null };
}

export interface Prompt {
  id: string;
  deviceId: string;
  serviceRecordId: string;
  serviceItemCode: string;
  serviceItemName: string | null;
  staffId: string | null;
  expiresAt: string;
}

export interface BatchResult {
  results: Array<{
    index: number;
    status: 'created' | 'duplicate' | 'rejected';
    id?: string;
    errors?: Array<{ field: string; message: string }>;
  }>;
}
