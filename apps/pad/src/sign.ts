// Request signing exactly as API.md § Authentication says, in the browser's WebCrypto:
// X-Signature: v1=hex(HMAC_SHA256(secret, METHOD \n PATH_WITH_QUERY \n X-Timestamp \n SHA256_HEX(body))).
const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

function hex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function sha256Hex(body: string): Promise<string> {
  return hex(await crypto.subtle.digest('SHA-256', encoder.encode(body)));
}

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    keys.set(secret, key);
  }
  return key;
}

/** `v1=<hex>` for the request; `body` is the exact text sent (empty for a GET). */
export async function signRequest(secret: string, method: string, pathWithQuery: string, timestamp: string, body: string): Promise<string> {
  const canonical = `${method.toUpperCase()}\n${pathWithQuery}\n${timestamp}\n${await sha256Hex(body)}`;
  return `v1=${hex(await crypto.subtle.sign('HMAC', await hmacKey(secret), encoder.encode(canonical)))}`;
}
