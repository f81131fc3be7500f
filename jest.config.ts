/**
 * Loaded through ts-node without type-checking (type-checking is `npm run lint`'s job; checked, this file alone
 * took 3.5 s of every jest run).
 * @jest-config-loader-options {"transpileOnly": true, "compilerOptions": {"module": "CommonJS", "moduleResolution": "Bundler"}}
 */
import os from 'node:os';
import type { Config } from 'jest';

const esmTs: Config = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^#libs/(.*)$': '<rootDir>/libs/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true }],
    // content-disposition is ESM-only and require()d by @fastify/static (swagger UI assets). Node >= 20.19
    // loads that natively; jest's module runtime does not, so it is compiled to CommonJS for tests.
    '/node_modules/(.+/)?content-disposition/.+\\.js$': [
      'ts-jest',
      { tsconfig: { allowJs: true, module: 'commonjs', isolatedModules: true } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(.+/)?content-disposition/)'],
  testEnvironment: 'node',
  // Logs go to .data/test-logs/worker-N.log, not the console: a passing run prints no ERROR line.
  setupFiles: ['<rootDir>/test/setup/test-logs.ts'],
};

/**
 * Projects whose tests need PostgreSQL: DATABASE_URL's server, else an embedded one (test/setup). Unit tests need none.
 * A test file's database is a copy of a template migrated once per run (test/setup/service-schemas.ts).
 */
const withDatabase: Config = {
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  setupFiles: [...esmTs.setupFiles!, '<rootDir>/test/setup/service-schemas.ts'],
};

const config: Config = {
  testTimeout: 120_000,
  // Suites run in parallel worker processes (every e2e suite has its own database and ports): jest's default of
  // one worker fewer than the cores ran `npm test` in one process on a 2-core machine, which slowed as its memory
  // grew (1,097 s in one process, 336 s in two). The projects run with --runInBand (integration, visual,
  // browser) keep one.
  maxWorkers: Math.max(2, Math.floor(os.availableParallelism() / 2)),
  projects: [
    {
      ...esmTs,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/apps/**/*.spec.ts',
        '<rootDir>/libs/**/*.spec.ts',
        '<rootDir>/scripts/**/*.spec.ts',
        '<rootDir>/test/deploy/**/*.spec.ts',
      ],
    },
    { ...esmTs, ...withDatabase, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'] },
    { ...esmTs, ...withDatabase, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.int-spec.ts'] },
    // Headless Chromium (apt: chromium fonts-noto-cjk); `npm run test:visual`, not part of `npm test`.
    { ...esmTs, ...withDatabase, displayName: 'visual', testMatch: ['<rootDir>/test/visual/**/*.visual-spec.ts'] },
    // The console in headless Chromium against the running services; `npm run test:browser` (builds first).
    { ...esmTs, ...withDatabase, displayName: 'browser', testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'] },
  ],
};

export default config;
