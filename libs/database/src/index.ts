export * from './data-source-options.js';
export * from './database.module.js';
export * from './embedded-postgres.js';
export * from './migrate.js';
export * from './transient-errors.js';
export * from './shared-limits.js';
