import { commonEnv, integer, parseEnv, storageEnv } from '@fileflow/adapters';
import { z } from 'zod';

const schema = z.object({
  ...commonEnv,
  ...storageEnv,
  PORT: integer(3000, 0, 65_535),
  HOST: z.string().min(1).default('0.0.0.0'),
  FILEFLOW_MAX_BODY_BYTES: integer(16 * 1024, 256, 1024 * 1024),
});

/** Validated settings of the API. */
export type ApiConfig = z.output<typeof schema>;

/** Reads the API's settings from the environment; raises ConfigError on an invalid value. */
export function loadConfig(env: NodeJS.ProcessEnv): ApiConfig {
  return parseEnv(schema, env);
}
