import { z } from 'zod';
import { parseEnv } from '../config/env.ts';
import { commonEnv, storageEnv, workerEnv } from '../config/settings.ts';

const schema = z.object({ ...commonEnv, ...storageEnv, ...workerEnv });

/** Topic a worker consumes: the main or the retry topic. */
export type WorkerRole = 'main' | 'retry';

/** Validated settings of a consumer app. */
export type WorkerConfig = z.output<typeof schema> & { role: WorkerRole; service: string; groupId: string };

/** Reads a consumer app's settings from `env`, or raises ConfigError listing every problem. */
export function loadWorkerConfig(
  env: NodeJS.ProcessEnv,
  role: WorkerRole,
  defaults: { service: string; healthPort: number },
): WorkerConfig {
  const parsed = parseEnv(schema, { FILEFLOW_HEALTH_PORT: String(defaults.healthPort), ...env });
  const groupId = env.FILEFLOW_CONSUMER_GROUP ?? `fileflow-${defaults.service}`;
  return { ...parsed, role, service: defaults.service, groupId };
}

/** Lease of an attempt; a running attempt renews it every third of its length. */
export function leaseMs(config: WorkerConfig): number {
  return config.FILEFLOW_LEASE_MS;
}
