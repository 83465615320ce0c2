export * from './files.ts';
export * from './outbox.ts';
export * from './idempotency-keys.ts';
