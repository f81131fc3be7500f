import { createHash, createHmac } from 'node:crypto';
import { sha256Hex, signatureMatches, signedHeaders, signRequest } from './hmac.js';

describe('HMAC request signing (API.md § Authentication)', () => {
  const secret = 'device-secret';
  const body = '{"level":5}';

  it('signs METHOD \\n PATH_WITH_QUERY \\n timestamp \\n sha256(body) with HMAC-SHA256', () => {
    const canonical = `POST\n/api/v1/ratings?x=1\n1732070000000\n${createHash('sha256').update(body).digest('hex')}`;
    const expected = `v1=${createHmac('sha256', secret).update(canonical).digest('hex')}`;
    expect(signRequest(secret, 'post', '/api/v1/ratings?x=1', '1732070000000', body)).toBe(expected);
  });

  it('hashes an empty body as the SHA-256 of nothing', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('compares signatures exactly, including different lengths', () => {
    const good = signRequest(secret, 'POST', '/p', '1', body);
    expect(signatureMatches(good, good)).toBe(true);
    expect(signatureMatches(good, good.slice(0, -1) + (good.endsWith('0') ? '1' : '0'))).toBe(false);
    expect(signatureMatches(good, good.slice(0, 10))).toBe(false);
    expect(signatureMatches(good, '')).toBe(false);
  });

  it('builds the headers a device sends', () => {
    const headers = signedHeaders('X-Device-Id', 'dev-1', secret, 'POST', '/api/v1/ratings', body, 1732070000000);
    expect(headers).toEqual({
      'X-Device-Id': 'dev-1',
      'X-Timestamp': '1732070000000',
      'X-Signature': signRequest(secret, 'POST', '/api/v1/ratings', '1732070000000', body),
      'Content-Type': 'application/json',
    });
  });
});
