import { createHash } from 'node:crypto';
import { seedYearsFromChineseDays } from './chinese-days-seed.js';

/**
 * The initial rectification migrations (committed history) seed the calendar from this function,
 * that is from the chinese-days package locked in package-lock.json. What a migration creates must
 * not change when a package does: an upgrade that changes this seed fails here, and the new years
 * or corrections then reach existing databases as data (the calendar's holiday-package publishing,
 * or a new migration), never by editing what the old migrations wrote.
 */
describe('the calendar seed of the initial migrations', () => {
  it('is exactly what the locked chinese-days package gave when they were written', () => {
    const seed = seedYearsFromChineseDays();
    expect(seed.map((y) => y.year)).toEqual(Array.from({ length: 23 }, (_, i) => 2004 + i));
    expect(seed.find((y) => y.year === 2026)).toMatchObject({ holidays: expect.arrayContaining(['2026-10-01']) as unknown });
    expect(createHash('sha256').update(JSON.stringify(seed)).digest('hex')).toBe(
      '15022be01de166e055f72e723ba2a5323b194087a501b4aead3b9351e00763fb',
    );
  });
});
