import { loadWorkerConfig, type WorkerConfig } from '@fileflow/adapters';

/** Reads this app's settings from the environment; raises ConfigError on an invalid value. */
export function loadConfig(env: NodeJS.ProcessEnv): WorkerConfig {
  return loadWorkerConfig(env, 'retry', { service: 'retry-consumer', healthPort: 9465 });
}
