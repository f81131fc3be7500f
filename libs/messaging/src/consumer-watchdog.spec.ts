import { jest } from '@jest/globals';
import { ConsumerWatchdog } from './consumer-watchdog.js';

const until = async (check: () => boolean, ms = 2_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};
const logger = { warn: jest.fn(), error: jest.fn() };

describe('ConsumerWatchdog', () => {
  let clock = 0;
  let restarts: string[];
  let failNext: number;
  let kinds: string[];
  let dog: ConsumerWatchdog;
  beforeEach(() => {
    clock = 0;
    restarts = [];
    kinds = [];
    failNext = 0;
    dog = new ConsumerWatchdog({
      name: 'test consumer',
      stallMs: 30_000,
      checkEveryMs: 10,
      logger,
      now: () => clock,
      restart: async (reason) => {
        if (failNext > 0) {
          failNext -= 1;
          throw new Error('broker away');
        }
        restarts.push(reason);
      },
      onRestart: (kind) => kinds.push(kind),
    });
    dog.start();
  });
  afterEach(() => dog.stop());

  it('leaves a consumer alone while it shows signs of life, however long it runs', async () => {
    for (let i = 0; i < 10; i++) {
      clock += 20_000;
      dog.alive();
      await new Promise((r) => setTimeout(r, 15));
    }
    expect(restarts).toEqual([]);
    expect(dog.restarts).toBe(0);
  });

  it('rebuilds a consumer silent for longer than the stall time, once, and counts it as silent', async () => {
    clock += 30_001;
    await until(() => restarts.length === 1);
    expect(restarts[0]).toBe('no fetch or heartbeat for 30 s');
    // The rebuilt consumer counts as alive from the rebuild on.
    await new Promise((r) => setTimeout(r, 50));
    expect(restarts).toHaveLength(1);
    expect(dog.restarts).toBe(1);
    expect(kinds).toEqual(['silent']);
  });

  it('rebuilds at once a consumer that crashed for good, with the crash as the reason', async () => {
    dog.crashed('crashed and not restarted: The coordinator is loading');
    await until(() => restarts.length === 1);
    expect(restarts).toEqual(['crashed and not restarted: The coordinator is loading']);
    expect(kinds).toEqual(['crashed']);
  });

  it('tries again after a back-off while the rebuild fails (the broker is away), until it succeeds', async () => {
    failNext = 2;
    dog.crashed('crashed and not restarted: connection refused');
    await until(() => restarts.length === 1, 5_000);
    expect(failNext).toBe(0);
    expect(restarts).toEqual(['crashed and not restarted: connection refused']);
    expect(dog.restarts).toBe(1);
  });
});
