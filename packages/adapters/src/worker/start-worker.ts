import { runMigrations } from '@fileflow/db';
import type { ReclaimExpiredLeases } from '@fileflow/domain';
import { serve } from '@hono/node-server';
import type { Kafka, Producer } from 'kafkajs';
import type { Client as MinioClient } from 'minio';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { DependencyContainer } from 'tsyringe';
import { healthRoutes } from '../health/health-app.ts';
import { collectConsumerLag, collectOutboxBacklog } from '../observability/collectors.ts';
import { ensureTopics, topicNames } from '../kafka/topics.ts';
import type { UploadConsumer } from '../kafka/upload-consumer.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { OutboxRelay } from '../postgres/outbox-relay.ts';
import { ConfigError } from '../config/env.ts';
import { installShutdown, type Closer } from '../runtime/shutdown.ts';
import { WorkerTokens as T } from './tokens.ts';
import type { WorkerConfig } from './worker-config.ts';

/** Prepares the database and topics, then starts consuming; returns the shutdown steps. */
export async function startWorker(c: DependencyContainer): Promise<Closer[]> {
  const config = c.resolve<WorkerConfig>(T.Config);
  const logger = c.resolve<Logger>(T.Logger);
  logger.info({ role: config.role, topic: config.FILEFLOW_TOPIC, groupId: config.groupId }, 'starting');
  logPrivateNetworks(config, logger);

  if (config.FILEFLOW_MIGRATE_ON_START) await runMigrations(config.DATABASE_URL);
  await prepareTopics(c, config, logger);
  const producer = c.resolve<Producer>(T.Producer);
  await producer.connect();
  const relay = c.resolve<OutboxRelay>(T.Relay);
  relay.start();
  const server = startHealthServer(c, config, logger);
  const consumer = c.resolve<UploadConsumer>(T.Consumer);
  await consumer.start();
  const sweeper = config.role === 'main' ? startLeaseSweeper(c, config, logger) : undefined;

  return [
    { name: 'lease sweeper', close: async () => clearInterval(sweeper) },
    { name: 'consumer', close: () => consumer.stop(config.FILEFLOW_SHUTDOWN_TIMEOUT_MS - 5_000) },
    { name: 'outbox relay', close: () => relay.stop() },
    { name: 'producer', close: () => producer.disconnect() },
    { name: 'health server', close: () => new Promise((done) => server.close(() => done())) },
    { name: 'database pool', close: () => c.resolve<pg.Pool>(T.Pool).end() },
  ];
}

async function prepareTopics(c: DependencyContainer, config: WorkerConfig, logger: Logger) {
  const admin = c.resolve<Kafka>(T.Kafka).admin();
  await admin.connect();
  try {
    const created = await ensureTopics(admin, topicNames(config.FILEFLOW_TOPIC), {
      partitions: config.FILEFLOW_TOPIC_PARTITIONS,
      replicationFactor: config.FILEFLOW_TOPIC_REPLICATION,
    });
    if (created.length > 0) logger.info({ topics: created }, 'topics created');
  } finally {
    await admin.disconnect();
  }
}

function startHealthServer(c: DependencyContainer, config: WorkerConfig, logger: Logger) {
  const pool = c.resolve<pg.Pool>(T.Pool);
  const storage = c.resolve<MinioClient>(T.StorageClient);
  const consumer = c.resolve<UploadConsumer>(T.Consumer);
  const admin = c.resolve<Kafka>(T.Kafka).admin();
  const metrics = c.resolve<Metrics>(T.Metrics);
  collectOutboxBacklog(metrics, c.resolve<OutboxRelay>(T.Relay));
  collectConsumerLag(metrics, admin, config.groupId, consumedTopic(config));
  const app = healthRoutes(
    [
      { name: 'postgres', check: () => pool.query('select 1') },
      { name: 'kafka', check: async () => admin.connect().then(() => admin.describeCluster()) },
      { name: 'object-storage', check: () => storage.listBuckets() },
      { name: 'consumer', check: async () => assertHealthy(consumer.healthy) },
    ],
    { contentType: metrics.registry.contentType, render: () => metrics.render() },
  );
  const server = serve({ fetch: app.fetch, port: config.FILEFLOW_HEALTH_PORT, hostname: config.FILEFLOW_HEALTH_HOST }, (info) =>
    logger.info({ port: info.port }, 'health server listening'),
  );
  return server;
}

function consumedTopic(config: WorkerConfig): string {
  const names = topicNames(config.FILEFLOW_TOPIC);
  return config.role === 'main' ? names.main : names.retry;
}

function assertHealthy(healthy: boolean): void {
  if (!healthy) throw new Error('backing off after an infrastructure failure');
}

function startLeaseSweeper(c: DependencyContainer, config: WorkerConfig, logger: Logger) {
  const reclaim = c.resolve<ReclaimExpiredLeases>(T.Reclaim);
  const timer = setInterval(async () => {
    try {
      const ids = await reclaim.execute();
      for (const uploadId of ids) logger.warn({ uploadId }, 'lease expired; upload queued again');
    } catch (error) {
      logger.error({ err: error }, 'lease sweep failed');
    }
  }, config.FILEFLOW_LEASE_SWEEP_MS);
  timer.unref();
  return timer;
}

function logPrivateNetworks(config: WorkerConfig, logger: Logger): void {
  const networks = config.FILEFLOW_ALLOW_PRIVATE_NETWORKS;
  if (networks.length === 0) return;
  logger.warn({ networks }, 'downloads from these private networks are allowed');
}

/**
 * Runs a consumer app: loads its settings, builds its container, starts it and installs the
 * shutdown. Exits 2 on invalid settings and 1 when the start fails.
 */
export async function runWorkerApp(
  loadConfig: (env: NodeJS.ProcessEnv) => WorkerConfig,
  buildContainer: (config: WorkerConfig) => DependencyContainer,
): Promise<void> {
  try {
    const config = loadConfig(process.env);
    const container = buildContainer(config);
    const logger = container.resolve<Logger>(T.Logger);
    process.on('unhandledRejection', (error) => logger.error({ err: error }, 'unhandled rejection'));
    const closers = await startWorker(container);
    installShutdown(closers, config.FILEFLOW_SHUTDOWN_TIMEOUT_MS, logger);
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(error instanceof ConfigError ? 2 : 1);
  }
}
