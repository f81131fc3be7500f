import { jest } from '@jest/globals';
import { PollingWorker, type WorkerPass } from './worker.js';

const until = async (check: () => boolean, ms = 2_000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 2));
  }
};
const logger = { error: jest.fn() };

describe('PollingWorker', () => {
  afterEach(() => logger.error.mockReset());

  it('runs passes back to back while there is more, then waits for the idle interval', async () => {
    const outcomes: WorkerPass[] = ['more', 'more', 'idle'];
    const at: number[] = [];
    const worker = new PollingWorker({
      name: 'w',
      idleMs: 10_000,
      logger,
      pass: async () => (at.push(Date.now()), outcomes.shift() ?? 'idle'),
    });
    worker.start();
    await until(() => at.length === 3);
    expect(at[2]! - at[0]!).toBeLessThan(1_000);
    await new Promise((r) => setTimeout(r, 50));
    expect(at).toHaveLength(3);
    await worker.stop();
  });

  it('coalesces wake-ups during a pass into one more pass', async () => {
    let release: () => void = () => undefined;
    let passes = 0;
    const worker = new PollingWorker({
      name: 'w',
      idleMs: 10_000,
      logger,
      pass: async () => {
        passes += 1;
        if (passes === 1) await new Promise<void>((r) => (release = r));
        return 'idle';
      },
    });
    worker.start();
    await until(() => passes === 1);
    worker.wake();
    worker.wake();
    worker.wake();
    release();
    await until(() => passes === 2);
    await new Promise((r) => setTimeout(r, 50));
    expect(passes).toBe(2);
    await worker.stop();
  });

  it('backs off after failures, logs the first, and recovers', async () => {
    let calls = 0;
    const worker = new PollingWorker({
      name: 'w',
      idleMs: 10_000,
      logger,
      pass: async () => {
        calls += 1;
        if (calls <= 2) throw new Error('down');
        return 'idle';
      },
    });
    const started = Date.now();
    worker.start();
    await until(() => calls === 3);
    // 200 ms after the first failure, 400 ms after the second.
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(worker.failureCount).toBe(0);
    await worker.stop();
  });

  it('stop waits for the pass under way and schedules no other', async () => {
    let finished = false;
    let passes = 0;
    const worker = new PollingWorker({
      name: 'w',
      idleMs: 1,
      logger,
      pass: async () => {
        passes += 1;
        await new Promise((r) => setTimeout(r, 100));
        finished = true;
        return 'more';
      },
    });
    worker.start();
    await until(() => passes === 1);
    await worker.stop();
    expect(finished).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(passes).toBe(1);
  });
});
