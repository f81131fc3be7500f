export * from './auth.module.js';
export * from './current-principal.decorator.js';
export * from './hmac-auth.guard.js';
export * from './hmac.js';
export * from './jwt-auth.guard.js';
export * from './principal.js';
export * from './device-or-user.guard.js';
export * from './session-check.js';
