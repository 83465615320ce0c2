import { z } from 'zod';
import { decimal, flag, integer, list, url } from './env.ts';

const MIB = 1024 ** 2;
const GIB = 1024 ** 3;

/** Settings every app shares: database, broker, logging and shutdown. */
export const commonEnv = {
  DATABASE_URL: url(['postgres', 'postgresql']),
  KAFKA_BROKERS: list().refine((brokers) => brokers.length > 0, {
    message: 'must list at least one host:port, comma-separated',
  }),
  FILEFLOW_TOPIC: z.string().regex(/^[a-zA-Z0-9._-]{1,200}$/).default('upload_file_topic'),
  FILEFLOW_TOPIC_PARTITIONS: integer(3, 1, 1_000),
  FILEFLOW_TOPIC_REPLICATION: integer(1, 1, 10),
  FILEFLOW_MIGRATE_ON_START: flag(true),
  FILEFLOW_SHUTDOWN_TIMEOUT_MS: integer(25_000, 1_000, 600_000),
  FILEFLOW_OUTBOX_BATCH_SIZE: integer(200, 1, 10_000),
  FILEFLOW_OUTBOX_POLL_MS: integer(500, 10, 60_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};

/** Settings of the S3-compatible object storage. */
export const storageEnv = {
  S3_ENDPOINT: url(['http', 'https']),
  S3_PUBLIC_ENDPOINT: url(['http', 'https']).optional(),
  S3_ACCESS_KEY: z.string().min(1),
  S3_SECRET_KEY: z.string().min(1),
  S3_REGION: z.string().min(1).default('us-east-1'),
  FILEFLOW_PRESIGN_EXPIRY_SECONDS: integer(3_600, 1, 604_800),
  FILEFLOW_PART_SIZE_BYTES: integer(8 * MIB, 5 * MIB, 5 * GIB),
};

/** Settings of the consumers: download limits, retries, leases and concurrency. */
export const workerEnv = {
  FILEFLOW_MAX_FILE_BYTES: integer(5 * GIB, 1),
  FILEFLOW_CONNECT_TIMEOUT_MS: integer(10_000, 1),
  FILEFLOW_HEADERS_TIMEOUT_MS: integer(30_000, 1),
  FILEFLOW_IDLE_TIMEOUT_MS: integer(30_000, 1),
  FILEFLOW_TOTAL_TIMEOUT_MS: integer(3_600_000, 1),
  FILEFLOW_MAX_REDIRECTS: integer(5, 0, 20),
  FILEFLOW_ALLOW_PRIVATE_NETWORKS: list(),
  FILEFLOW_RETRY_MAX: integer(3, 0, 100),
  FILEFLOW_RETRY_BASE_DELAY_MS: integer(1_000, 0),
  FILEFLOW_RETRY_FACTOR: decimal(2, 1, 100),
  FILEFLOW_RETRY_MAX_DELAY_MS: integer(60_000, 0),
  FILEFLOW_RETRY_JITTER: decimal(0.2, 0, 1),
  FILEFLOW_LEASE_MS: integer(60_000, 3_000),
  FILEFLOW_LEASE_SWEEP_MS: integer(15_000, 100),
  FILEFLOW_CONCURRENCY: integer(4, 1, 256),
  FILEFLOW_PARTITIONS_CONCURRENTLY: integer(3, 1, 256),
  FILEFLOW_HEALTH_PORT: integer(0, 0, 65_535),
  FILEFLOW_HEALTH_HOST: z.string().min(1).default('0.0.0.0'),
  FILEFLOW_KAFKA_SESSION_TIMEOUT_MS: integer(30_000, 6_000, 300_000),
};
