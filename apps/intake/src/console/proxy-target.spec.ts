import { ErrorCode } from '#libs/common';
import { proxyTargetRefusal } from './proxy-target.js';

describe('proxyTargetRefusal', () => {
  it.each([
    '/api/v1/cases',
    '/api/v1/cases/0b6f5f44-8e0b-4d5e-9a55-0d2f8a4a1c11/publication',
    '/api/v1/reports/quarterly',
    '/api/v1/units/DEMO-01',
    '/api/v1/units/%E7%A4%BA%E8%8C%83',
  ])('lets the API path %s pass', (path) => {
    expect(proxyTargetRefusal(path)).toBeNull();
  });

  it.each([
    '',
    '/',
    '/metrics',
    '/docs',
    '/docs-json',
    '/docs/static/index.html',
    '/health',
    '/health/ready',
    '/api',
    '/api/v1',
    '/API/v1/cases',
    '/api/v2/cases',
    '/metrics/',
    '/docs/',
    '/api/v1/health',
    '/api/v1/health/ready',
    '/api/v1/metrics',
    '/api/v1/docs-json',
    '/api/v1/%68ealth/ready',
  ])('answers 404 to %j, which is not the API', (path) => {
    expect(proxyTargetRefusal(path)?.code).toBe(ErrorCode.NotFound);
  });

  it.each([
    '/..%2f..%2fapi/v1/users',
    '/..%2F..%2Fmetrics',
    '/api/v1/../../metrics',
    '/api/v1/./cases',
    '/api/v1/%2e%2e/%2e%2e/metrics',
    '/api/v1/%2E%2E/health',
    '/api/v1/%252e%252e/%252e%252e/metrics',
    '/api/v1/..%252f..%252fmetrics',
    '/api/v1/..\\..\\metrics',
    '/api/v1/%5c..%5cmetrics',
    '/api/v1/cases%00',
    '/api/v1/cases/%0d%0aX-Injected:1',
    '/api/v1/..;/metrics',
    '/api/v1//cases',
    '/api/v1/cases/%E9',
    '/api/v1/ca ses',
    'api/v1/cases',
  ])('refuses the malformed target %j with 400 naming the path', (path) => {
    const refusal = proxyTargetRefusal(path);
    expect(refusal?.code).toBe(ErrorCode.ValidationFailed);
    expect(refusal?.errors).toEqual([{ field: 'path', message: expect.any(String) as string }]);
  });
});
