export * from './bootstrap.js';
export * from './fast-validation.js';
export * from './env.module.js';
export * from './health.controller.js';
export * from './health-warnings.js';
export * from './service-platform.module.js';
export * from './edge.js';
export * from './openapi.js';
