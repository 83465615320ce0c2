import { drizzle } from 'drizzle-orm/node-postgres';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { Client as MinioClient } from 'minio';
import pg from 'pg';
import type { Logger } from 'pino';
import { kafkaLogCreator } from '../observability/logger.ts';
import type { Database } from '../postgres/drizzle-file-repository.ts';

/**
 * Opens a connection pool. A connection that the server ends is logged instead of crashing
 * the process: pg emits 'error' on a checked-out client with no listener of its own, such as
 * one between two statements of a transaction while PostgreSQL restarts.
 */
export function createPool(databaseUrl: string, logger: Logger, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max, connectionTimeoutMillis: 5_000 });
  pool.on('error', (error) => logger.error({ err: error }, 'idle database connection failed'));
  pool.on('connect', (client) => {
    client.on('error', (error) => logger.warn({ err: error }, 'database connection failed'));
  });
  return pool;
}

/** Wraps a pool in drizzle. */
export function createDatabase(pool: pg.Pool): Database {
  return drizzle(pool);
}

/** Creates the kafkajs client with its logs routed into `logger`. */
export function createKafka(clientId: string, brokers: string[], logger: Logger): Kafka {
  return new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator(logger),
    retry: { initialRetryTime: 300, retries: 8, maxRetryTime: 10_000 },
  });
}

/** Creates an idempotent producer that waits for all in-sync replicas. */
export function createProducer(kafka: Kafka) {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
}

/** Connection settings of an S3-compatible endpoint. */
export interface S3Endpoint {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  region: string;
}

/**
 * Creates a minio client for an endpoint URL. Path-style addressing works with every
 * S3-compatible server; a fixed region spares a region lookup request before presigning.
 */
export function createMinioClient({ endpoint, accessKey, secretKey, region }: S3Endpoint): MinioClient {
  const url = new URL(endpoint);
  const useSSL = url.protocol === 'https:';
  const defaultPort = useSSL ? 443 : 80;
  return new MinioClient({
    endPoint: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : defaultPort,
    useSSL,
    accessKey,
    secretKey,
    region,
    pathStyle: true,
  });
}
