export * from './calendar.js';
export * from './chinese-days-seed.js';
export * from './deadlines.js';
export * from './provisional.js';
