import 'reflect-metadata';
import {
  DrizzleFileRepository,
  DrizzleApiKeyStore,
  DrizzleIdempotencyStore,
  KafkaUploadQueue,
  Metrics,
  MinioObjectStorage,
  OutboxRelay,
  createDatabase,
  createKafka,
  createLogger,
  createMinioClient,
  createPool,
  createProducer,
  outboxSettings,
  s3Endpoint,
  topicNames,
  type Logger,
} from '@fileflow/adapters';
import {
  GetUpload,
  ListUploads,
  ReplayUpload,
  RequestUpload,
  type Clock,
  type FileRepository,
  type ObjectStorage,
} from '@fileflow/domain';
import type { Kafka, Producer } from 'kafkajs';
import type { Client as MinioClient } from 'minio';
import type pg from 'pg';
import { randomUUID } from 'node:crypto';
import { container, type DependencyContainer } from 'tsyringe';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { createApp } from './app.ts';
import { ApiKeyAuthenticator } from './auth/authenticator.ts';
import { requireApiKey } from './auth/require-api-key.ts';
import type { ApiConfig } from './config.ts';
import type { IdempotencyStore } from './idempotency/idempotency-store.ts';
import { RequestUploadOnce } from './idempotency/request-upload-once.ts';
import { ApiTokens as T } from './tokens.ts';

const systemClock: Clock = { now: () => new Date() };

/** Builds the API's object graph in a child of tsyringe's root container. */
export function buildContainer(config: ApiConfig): DependencyContainer {
  const c = container.createChildContainer();
  const single = <V>(token: symbol, factory: (c: DependencyContainer) => V) => {
    let instance: V | undefined;
    c.register(token, { useFactory: (r) => (instance ??= factory(r)) });
  };

  single(T.Config, () => config);
  single(T.Logger, () => createLogger('api', config.LOG_LEVEL));
  single(T.Metrics, () => new Metrics('api'));
  single(T.Pool, (r) => createPool(config.DATABASE_URL, r.resolve(T.Logger), 20));
  single(T.Kafka, (r) => createKafka('fileflow-api', config.KAFKA_BROKERS, r.resolve(T.Logger)));
  single(T.Producer, (r) => createProducer(r.resolve<Kafka>(T.Kafka)));
  single(T.StorageClient, () => createMinioClient(s3Endpoint(config, config.S3_ENDPOINT)));
  single(T.Storage, (r) => createStorage(config, r.resolve(T.StorageClient)));
  single(
    T.Relay,
    (r) =>
      new OutboxRelay(
        r.resolve(T.Pool),
        new KafkaUploadQueue(r.resolve<Producer>(T.Producer), topicNames(config.FILEFLOW_TOPIC)),
        outboxSettings(config),
        r.resolve<Logger>(T.Logger).child({ component: 'outbox-relay' }),
      ),
  );
  single(T.Files, (r) => {
    const relay = r.resolve<OutboxRelay>(T.Relay);
    const db = createDatabase(r.resolve<pg.Pool>(T.Pool));
    return new DrizzleFileRepository(db, () => relay.kick());
  });
  single<IdempotencyStore>(T.IdempotencyKeys, (r) => {
    const relay = r.resolve<OutboxRelay>(T.Relay);
    const db = createDatabase(r.resolve<pg.Pool>(T.Pool));
    return new DrizzleIdempotencyStore(db, () => relay.kick());
  });
  single(T.App, (r) => createAppFrom(config, r));
  return c;
}

function createAppFrom(config: ApiConfig, r: DependencyContainer) {
  const files = r.resolve<FileRepository>(T.Files);
  const storage = r.resolve<ObjectStorage>(T.Storage);
  const metrics = r.resolve<Metrics>(T.Metrics);
  const pool = r.resolve<pg.Pool>(T.Pool);
  const admin = r.resolve<Kafka>(T.Kafka).admin();
  const storageClient = r.resolve<MinioClient>(T.StorageClient);
  return createApp({
    logger: r.resolve(T.Logger),
    metrics,
    maxBodyBytes: config.FILEFLOW_MAX_BODY_BYTES,
    requestUpload: new RequestUpload(files, { next: randomUUID }, systemClock),
    requestUploadOnce: new RequestUploadOnce(
      r.resolve<IdempotencyStore>(T.IdempotencyKeys),
      { next: randomUUID },
      systemClock,
    ),
    getUpload: new GetUpload(files, storage),
    listUploads: new ListUploads(files),
    replayUpload: new ReplayUpload(files, systemClock),
    onAccepted: () => metrics.uploadsAccepted.inc(),
    ...(config.FILEFLOW_BENCH_ROUTES ? { bench: { ids: { next: randomUUID }, clock: systemClock } } : {}),
    auth: requireApiKey(
      new ApiKeyAuthenticator(new DrizzleApiKeyStore(createDatabase(pool))),
      // NOTE: counts live in this process, so each API instance allows the full rate.
      new RateLimiterMemory({
        points: config.FILEFLOW_RATE_LIMIT_REQUESTS,
        duration: config.FILEFLOW_RATE_LIMIT_WINDOW_SECONDS,
      }),
    ),
    readiness: [
      { name: 'postgres', check: () => pool.query('select 1') },
      { name: 'kafka', check: () => admin.connect().then(() => admin.describeCluster()) },
      { name: 'object-storage', check: () => storageClient.listBuckets() },
    ],
  });
}

function createStorage(config: ApiConfig, client: MinioClient): MinioObjectStorage {
  const publicEndpoint = config.S3_PUBLIC_ENDPOINT ?? config.S3_ENDPOINT;
  return new MinioObjectStorage(client, createMinioClient(s3Endpoint(config, publicEndpoint)), {
    partSize: config.FILEFLOW_PART_SIZE_BYTES,
    presignExpirySeconds: config.FILEFLOW_PRESIGN_EXPIRY_SECONDS,
  });
}
