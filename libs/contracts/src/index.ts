export * from './cloud-event.js';
export * from './topics.js';
export * from './rating.js';
export * from './labels.js';
export * from './events.js';
export * from './schemas.js';
