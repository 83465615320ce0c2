/** Injection tokens of the API's composition root. */
export const ApiTokens = {
  Config: Symbol('ApiConfig'),
  Logger: Symbol('Logger'),
  Metrics: Symbol('Metrics'),
  Pool: Symbol('Pool'),
  Kafka: Symbol('Kafka'),
  Producer: Symbol('Producer'),
  StorageClient: Symbol('StorageClient'),
  Storage: Symbol('ObjectStorage'),
  Files: Symbol('FileRepository'),
  IdempotencyKeys: Symbol('IdempotencyStore'),
  Relay: Symbol('OutboxRelay'),
  App: Symbol('App'),
} as const;
