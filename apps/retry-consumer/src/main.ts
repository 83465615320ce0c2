import { ConfigError, WorkerTokens, installShutdown, startWorker } from '@fileflow/adapters';
import type { Logger } from 'pino';
import { loadConfig } from './config.ts';
import { buildContainer } from './container.ts';

try {
  const config = loadConfig(process.env);
  const container = buildContainer(config);
  const logger = container.resolve<Logger>(WorkerTokens.Logger);
  process.on('unhandledRejection', (error) => logger.error({ err: error }, 'unhandled rejection'));
  const closers = await startWorker(container);
  installShutdown(closers, config.FILEFLOW_SHUTDOWN_TIMEOUT_MS, logger);
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(error instanceof ConfigError ? 2 : 1);
}
