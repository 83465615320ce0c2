export * from './files.ts';
export * from './outbox.ts';
export * from './idempotency-keys.ts';
export * from './api-keys.ts';
