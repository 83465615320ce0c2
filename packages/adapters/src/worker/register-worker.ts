import {
  ProcessUpload,
  ReclaimExpiredLeases,
  RetryPolicy,
  type Clock,
  type FileRepository,
  type ObjectStorage,
  type RemoteFileSource,
  type Ticker,
} from '@fileflow/domain';
import type { Kafka, Producer } from 'kafkajs';
import type { Client as MinioClient } from 'minio';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { DependencyContainer } from 'tsyringe';
import { GuardedHttpSource } from '../http/index.ts';
import { KafkaUploadQueue } from '../kafka/kafka-upload-queue.ts';
import { topicNames } from '../kafka/topics.ts';
import { UploadConsumer } from '../kafka/upload-consumer.ts';
import { Metrics } from '../observability/metrics.ts';
import { createLogger } from '../observability/logger.ts';
import { DrizzleFileRepository } from '../postgres/drizzle-file-repository.ts';
import { OutboxRelay } from '../postgres/outbox-relay.ts';
import { createDatabase, createKafka, createMinioClient, createPool, createProducer } from '../runtime/clients.ts';
import { MinioObjectStorage } from '../storage/minio-object-storage.ts';
import { createInvalidMessageHandler } from './invalid-message-handler.ts';
import { createJobHandler } from './outcome-handler.ts';
import { WorkerTokens as T } from './tokens.ts';
import { leaseMs, type WorkerConfig } from './worker-config.ts';

const systemClock: Clock = { now: () => new Date() };

const timerTicker: Ticker = {
  every(intervalMs, callback) {
    const timer = setInterval(callback, intervalMs);
    return () => clearInterval(timer);
  },
};

/**
 * Registers every part of a consumer app in `container` with factories and explicit tokens.
 * Singletons: each token resolves to one instance per container.
 */
export function registerWorker(container: DependencyContainer, config: WorkerConfig): void {
  const single = <V>(token: symbol, factory: (c: DependencyContainer) => V) => {
    let instance: V | undefined;
    container.register(token, { useFactory: (c) => (instance ??= factory(c)) });
  };
  const names = topicNames(config.FILEFLOW_TOPIC);

  single(T.Config, () => config);
  single(T.Logger, () => createLogger(config.service, config.LOG_LEVEL));
  single(T.Metrics, () => new Metrics(config.service));
  single(T.Pool, (c) => createPool(config.DATABASE_URL, c.resolve(T.Logger)));
  single(T.Kafka, (c) => createKafka(config.service, config.KAFKA_BROKERS, c.resolve(T.Logger)));
  single(T.Producer, (c) => createProducer(c.resolve<Kafka>(T.Kafka)));
  single(T.StorageClient, () => createMinioClient(s3Endpoint(config, config.S3_ENDPOINT)));
  single(T.Storage, (c) => createStorage(config, c.resolve(T.StorageClient)));
  single(T.Source, () => createSource(config));
  single(T.Relay, (c) =>
    new OutboxRelay(
      c.resolve(T.Pool),
      new KafkaUploadQueue(c.resolve(T.Producer), names),
      outboxSettings(config),
      c.resolve<Logger>(T.Logger).child({ component: 'outbox-relay' }),
    ),
  );
  single(T.Files, (c) => {
    const relay = c.resolve<OutboxRelay>(T.Relay);
    return new DrizzleFileRepository(createDatabase(c.resolve<pg.Pool>(T.Pool)), () => relay.kick());
  });
  single(T.ProcessUpload, (c) => createProcessUpload(config, c));
  single(T.Reclaim, (c) => new ReclaimExpiredLeases(c.resolve<FileRepository>(T.Files), systemClock));
  single(T.Consumer, (c) => createConsumer(config, c, names.deadLetter));
}

function createProcessUpload(config: WorkerConfig, c: DependencyContainer): ProcessUpload {
  const retryPolicy = new RetryPolicy({
    maxRetries: config.FILEFLOW_RETRY_MAX,
    baseDelayMs: config.FILEFLOW_RETRY_BASE_DELAY_MS,
    factor: config.FILEFLOW_RETRY_FACTOR,
    maxDelayMs: config.FILEFLOW_RETRY_MAX_DELAY_MS,
    jitter: config.FILEFLOW_RETRY_JITTER,
  });
  return new ProcessUpload(
    {
      files: c.resolve<FileRepository>(T.Files),
      source: c.resolve<RemoteFileSource>(T.Source),
      storage: c.resolve<ObjectStorage>(T.Storage),
      clock: systemClock,
      random: Math.random,
      retryPolicy,
      ticker: timerTicker,
    },
    { leaseMs: leaseMs(config), leaseRenewalMs: Math.floor(leaseMs(config) / 3) },
  );
}

function createConsumer(config: WorkerConfig, c: DependencyContainer, deadLetterTopic: string) {
  const logger = c.resolve<Logger>(T.Logger);
  const topic = config.role === 'main' ? config.FILEFLOW_TOPIC : topicNames(config.FILEFLOW_TOPIC).retry;
  return new UploadConsumer(
    c.resolve<Kafka>(T.Kafka),
    {
      groupId: config.groupId,
      topic,
      concurrency: config.FILEFLOW_CONCURRENCY,
      partitionsConsumedConcurrently: config.FILEFLOW_PARTITIONS_CONCURRENTLY,
      waitUntilDue: config.role === 'retry',
      sessionTimeoutMs: config.FILEFLOW_KAFKA_SESSION_TIMEOUT_MS,
      heartbeatIntervalMs: Math.min(3_000, config.FILEFLOW_KAFKA_SESSION_TIMEOUT_MS / 3),
      // A resumed retry partition is fetched only when the previous fetch returns.
      maxWaitTimeMs: config.role === 'retry' ? 250 : 1_000,
      failureBackoff: { initialMs: 500, maxMs: 5_000 },
    },
    {
      job: createJobHandler(
        c.resolve(T.ProcessUpload),
        logger,
        c.resolve<Metrics>(T.Metrics),
        c.resolve<ObjectStorage>(T.Storage),
      ),
      invalid: createInvalidMessageHandler(c.resolve<Producer>(T.Producer), deadLetterTopic, logger),
    },
    logger,
  );
}

function createStorage(config: WorkerConfig, client: MinioClient): MinioObjectStorage {
  const publicEndpoint = config.S3_PUBLIC_ENDPOINT ?? config.S3_ENDPOINT;
  return new MinioObjectStorage(client, createMinioClient(s3Endpoint(config, publicEndpoint)), {
    partSize: config.FILEFLOW_PART_SIZE_BYTES,
    presignExpirySeconds: config.FILEFLOW_PRESIGN_EXPIRY_SECONDS,
  });
}

function createSource(config: WorkerConfig): GuardedHttpSource {
  return new GuardedHttpSource({
    maxBytes: config.FILEFLOW_MAX_FILE_BYTES,
    connectTimeoutMs: config.FILEFLOW_CONNECT_TIMEOUT_MS,
    headersTimeoutMs: config.FILEFLOW_HEADERS_TIMEOUT_MS,
    idleTimeoutMs: config.FILEFLOW_IDLE_TIMEOUT_MS,
    totalTimeoutMs: config.FILEFLOW_TOTAL_TIMEOUT_MS,
    maxRedirects: config.FILEFLOW_MAX_REDIRECTS,
    allowedPrivateNetworks: config.FILEFLOW_ALLOW_PRIVATE_NETWORKS,
    limitSettingNames: {
      maxBytes: 'FILEFLOW_MAX_FILE_BYTES',
      connectTimeoutMs: 'FILEFLOW_CONNECT_TIMEOUT_MS',
      headersTimeoutMs: 'FILEFLOW_HEADERS_TIMEOUT_MS',
      idleTimeoutMs: 'FILEFLOW_IDLE_TIMEOUT_MS',
      totalTimeoutMs: 'FILEFLOW_TOTAL_TIMEOUT_MS',
      maxRedirects: 'FILEFLOW_MAX_REDIRECTS',
    },
  });
}

/** Endpoint settings for `endpoint` with the configured credentials. */
export function s3Endpoint(
  config: Pick<WorkerConfig, 'S3_ACCESS_KEY' | 'S3_SECRET_KEY' | 'S3_REGION'>,
  endpoint: string,
) {
  return {
    endpoint,
    accessKey: config.S3_ACCESS_KEY,
    secretKey: config.S3_SECRET_KEY,
    region: config.S3_REGION,
  };
}

/** Outbox relay settings from the common configuration. */
export function outboxSettings(config: Pick<WorkerConfig, 'FILEFLOW_OUTBOX_BATCH_SIZE' | 'FILEFLOW_OUTBOX_POLL_MS'>) {
  return {
    batchSize: config.FILEFLOW_OUTBOX_BATCH_SIZE,
    pollIntervalMs: config.FILEFLOW_OUTBOX_POLL_MS,
    maxBackoffMs: 30_000,
  };
}

