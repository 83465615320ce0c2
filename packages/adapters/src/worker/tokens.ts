/** Injection tokens of the consumer apps' composition roots. */
export const WorkerTokens = {
  Config: Symbol('WorkerConfig'),
  Logger: Symbol('Logger'),
  Pool: Symbol('Pool'),
  Kafka: Symbol('Kafka'),
  Producer: Symbol('Producer'),
  StorageClient: Symbol('StorageClient'),
  Storage: Symbol('ObjectStorage'),
  Source: Symbol('RemoteFileSource'),
  Files: Symbol('FileRepository'),
  Relay: Symbol('OutboxRelay'),
  ProcessUpload: Symbol('ProcessUpload'),
  Reclaim: Symbol('ReclaimExpiredLeases'),
  Consumer: Symbol('UploadConsumer'),
  Metrics: Symbol('Metrics'),
} as const;
