import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Allowed distance between `X-Timestamp` and server time. */
export const SIGNATURE_WINDOW_MS = 300_000;

export function sha256Hex(body: Buffer | string): string {
  return createHash('sha256').update(body).digest('hex');
}

/** `v1=<hex>` of HMAC_SHA256(secret, METHOD \n PATH_WITH_QUERY \n X-Timestamp \n SHA256_HEX(body)) — API.md § Authentication. */
export function signRequest(secret: string, method: string, pathWithQuery: string, timestamp: string, body: Buffer | string): string {
  const canonical = `${method.toUpperCase()}\n${pathWithQuery}\n${timestamp}\n${sha256Hex(body)}`;
  return `v1=${createHmac('sha256', secret).update(canonical).digest('hex')}`;
}

/** Constant-time comparison of a presented signature with the expected one. */
export function signatureMatches(expected: string, presented: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  if (a.length !== b.length) {
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}

/** Headers for a signed request; used by clients, the simulator and tests. */
export function signedHeaders(
  idHeader: 'X-Device-Id' | 'X-Client-Id',
  id: string,
  secret: string,
  method: string,
  pathWithQuery: string,
  body: string,
  now = Date.now(),
): Record<string, string> {
  const timestamp = String(now);
  return {
    [idHeader]: id,
    'X-Timestamp': timestamp,
    'X-Signature': signRequest(secret, method, pathWithQuery, timestamp, body),
    'Content-Type': 'application/json',
  };
}
