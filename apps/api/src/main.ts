import {
  ConfigError,
  ensureTopics,
  installShutdown,
  topicNames,
  type Logger,
  type OutboxRelay,
} from '@fileflow/adapters';
import { runMigrations } from '@fileflow/db';
import { serve } from '@hono/node-server';
import type { Kafka, Producer } from 'kafkajs';
import type pg from 'pg';
import type { DependencyContainer } from 'tsyringe';
import type { createApp } from './app.ts';
import { loadConfig, type ApiConfig } from './config.ts';
import { buildContainer } from './container.ts';
import { ApiTokens as T } from './tokens.ts';

async function start(config: ApiConfig, c: DependencyContainer): Promise<void> {
  const logger = c.resolve<Logger>(T.Logger);
  process.on('unhandledRejection', (error) => logger.error({ err: error }, 'unhandled rejection'));
  if (config.FILEFLOW_MIGRATE_ON_START) await runMigrations(config.DATABASE_URL);
  await prepareKafka(config, c, logger);
  const relay = c.resolve<OutboxRelay>(T.Relay);
  relay.start();

  const app = c.resolve<ReturnType<typeof createApp>>(T.App);
  if (config.FILEFLOW_BENCH_ROUTES) {
    logger.warn({ path: '/api/v1/bench/upload' }, 'benchmark route enabled without API key check; it stores nothing');
  }
  const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, (info) =>
    logger.info({ port: info.port }, 'api listening'),
  );
  installShutdown(
    [
      { name: 'http server', close: () => closeServer(server) },
      { name: 'outbox relay', close: () => relay.stop() },
      { name: 'producer', close: () => c.resolve<Producer>(T.Producer).disconnect() },
      { name: 'database pool', close: () => c.resolve<pg.Pool>(T.Pool).end() },
    ],
    config.FILEFLOW_SHUTDOWN_TIMEOUT_MS,
    logger,
  );
}

/** Creates the topics and connects the producer; the API still accepts uploads if Kafka is down. */
async function prepareKafka(config: ApiConfig, c: DependencyContainer, logger: Logger) {
  const admin = c.resolve<Kafka>(T.Kafka).admin();
  try {
    await admin.connect();
    await ensureTopics(admin, topicNames(config.FILEFLOW_TOPIC), {
      partitions: config.FILEFLOW_TOPIC_PARTITIONS,
      replicationFactor: config.FILEFLOW_TOPIC_REPLICATION,
    });
    await c.resolve<Producer>(T.Producer).connect();
  } catch (error) {
    logger.error({ err: error }, 'kafka unavailable at start; uploads wait in the outbox');
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** Stops accepting connections and closes idle keep-alive ones so they cannot hold the process. */
function closeServer(server: ReturnType<typeof serve>): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    if ('closeIdleConnections' in server) server.closeIdleConnections();
  });
}

try {
  const config = loadConfig(process.env);
  await start(config, buildContainer(config));
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(error instanceof ConfigError ? 2 : 1);
}
