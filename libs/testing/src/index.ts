export * from './auth-helpers.js';
export * from './eventually.js';
export * from './service-harness.js';
export * from './test-database.js';
export * from './test-env.js';
export * from './event-fixtures.js';
export * from './registry-fixtures.js';
export * from './test-logs.js';
