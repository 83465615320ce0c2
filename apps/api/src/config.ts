import { commonEnv, flag, integer, parseEnv, storageEnv } from '@fileflow/adapters';
import { z } from 'zod';

/** Maximum lifetime of a SigV4 presigned URL that S3 accepts: 7 days, in seconds. */
const MAX_PRESIGN_EXPIRY_SECONDS = 7 * 24 * 60 * 60;
const PRESIGN_EXPIRY_RULE =
  'must be a whole number of seconds from 1 to ' + `${MAX_PRESIGN_EXPIRY_SECONDS} (7 days)`;

const schema = z.object({
  ...commonEnv,
  ...storageEnv,
  // Same range as storageEnv, with a message that names the unit and the limit.
  FILEFLOW_PRESIGN_EXPIRY_SECONDS: z.coerce
    .number({ error: PRESIGN_EXPIRY_RULE })
    .int(PRESIGN_EXPIRY_RULE)
    .min(1, PRESIGN_EXPIRY_RULE)
    .max(MAX_PRESIGN_EXPIRY_SECONDS, PRESIGN_EXPIRY_RULE)
    .default(3_600),
  PORT: integer(3000, 0, 65_535),
  HOST: z.string().min(1).default('0.0.0.0'),
  FILEFLOW_MAX_BODY_BYTES: integer(16 * 1024, 256, 1024 * 1024),
  FILEFLOW_RATE_LIMIT_REQUESTS: integer(100, 1),
  FILEFLOW_RATE_LIMIT_WINDOW_SECONDS: integer(1, 1, 86_400),
  FILEFLOW_BENCH_ROUTES: flag(false),
});

/** Validated settings of the API. */
export type ApiConfig = z.output<typeof schema>;

/** Reads the API's settings from the environment; raises ConfigError on an invalid value. */
export function loadConfig(env: NodeJS.ProcessEnv): ApiConfig {
  return parseEnv(schema, env);
}
