/** Connection settings of the stack the tests run against. */
export interface StackEnv {
  DATABASE_URL: string;
  KAFKA_BROKERS: string;
  S3_ENDPOINT: string;
  S3_ACCESS_KEY: string;
  S3_SECRET_KEY: string;
  S3_REGION: string;
}

const NAMES = ['DATABASE_URL', 'KAFKA_BROKERS', 'S3_ENDPOINT', 'S3_ACCESS_KEY', 'S3_SECRET_KEY'] as const;

/** Reads the stack's settings, or raises an error that says how to start one. */
export function stackEnv(): StackEnv {
  const missing = NAMES.filter((name) => !process.env[name]);
  if (missing.length > 0) {
    throw new Error(
      `${missing.join(', ')} missing: run the tests with "npm test", which starts a local stack, ` +
        'or set them to a running PostgreSQL, Kafka broker and S3 server',
    );
  }
  const env = process.env as Record<string, string>;
  return {
    DATABASE_URL: env.DATABASE_URL!,
    KAFKA_BROKERS: env.KAFKA_BROKERS!,
    S3_ENDPOINT: env.S3_ENDPOINT!,
    S3_ACCESS_KEY: env.S3_ACCESS_KEY!,
    S3_SECRET_KEY: env.S3_SECRET_KEY!,
    S3_REGION: env.S3_REGION ?? 'us-east-1',
  };
}
