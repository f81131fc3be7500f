import { ErrorCode } from './domain-error.js';
import { MetricsController, MetricsRegistry } from './metrics.js';

describe('GET /metrics', () => {
  const token = 'metrics-token-0123456789';

  it('is closed to everyone when the service has no METRICS_TOKEN', async () => {
    const controller = new MetricsController(new MetricsRegistry(), {});
    for (const authorization of [undefined, '', 'Bearer ', 'Bearer undefined']) {
      await expect(async () => controller.scrape(authorization)).rejects.toMatchObject({
        code: ErrorCode.Unauthenticated,
        detail: expect.stringContaining('METRICS_TOKEN') as string,
      });
    }
  });

  it('answers only the bearer of the configured token', async () => {
    const controller = new MetricsController(new MetricsRegistry(), { METRICS_TOKEN: token });
    for (const authorization of [undefined, `Bearer ${token}x`, token, `Basic ${token}`]) {
      await expect(async () => controller.scrape(authorization)).rejects.toMatchObject({ code: ErrorCode.Unauthenticated });
    }
    await expect(controller.scrape(`Bearer ${token}`)).resolves.toContain('process_cpu_user_seconds_total');
  });
});
