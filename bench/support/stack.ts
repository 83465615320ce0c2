import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { createDatabaseBeside } from '@fileflow/db';
import pg from 'pg';

/** Connection settings of the local stack that `node infra/local/cli.mjs exec` exports. */
export interface StackEnv {
  DATABASE_URL: string;
  KAFKA_BROKERS: string;
  S3_ENDPOINT: string;
  S3_ACCESS_KEY: string;
  S3_SECRET_KEY: string;
  S3_REGION: string;
  FILEFLOW_STACK_DIR: string;
}

const REQUIRED = [
  'DATABASE_URL',
  'KAFKA_BROKERS',
  'S3_ENDPOINT',
  'S3_ACCESS_KEY',
  'S3_SECRET_KEY',
  'FILEFLOW_STACK_DIR',
] as const;

/** Reads the stack's settings, or raises an error that explains how to start one. */
export function stackEnv(): StackEnv {
  const missing = REQUIRED.filter((name) => !process.env[name]);
  if (missing.length > 0) {
    throw new Error(
      `${missing.join(', ')} missing: run the benchmarks with "npm run bench" or ` +
        '"npm run bench:smoke", which start a local stack',
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
    FILEFLOW_STACK_DIR: env.FILEFLOW_STACK_DIR!,
  };
}

/**
 * Creates an empty database `name` on the stack's PostgreSQL server, dropping an old one first,
 * and returns its URL. Each scenario gets its own database, because an outbox relay publishes
 * every unsent outbox row of its database to its own topic, whichever app wrote the row.
 */
export function createDatabase(env: StackEnv, name: string): Promise<string> {
  return createDatabaseBeside(env.DATABASE_URL, name, { replace: true });
}

/** Software versions of the stack's services. */
export interface StackVersions {
  kafka: string;
  seaweedfs: string;
  postgres: string;
}

const run = promisify(execFile);

/** Reads the versions from the stack's tool paths and from PostgreSQL itself. */
export async function stackVersions(env: StackEnv): Promise<StackVersions> {
  const state = JSON.parse(await readFile(path.join(env.FILEFLOW_STACK_DIR, 'pids.json'), 'utf8')) as {
    tools: { kafkaLibDir: string; weed: string };
  };
  const jars = await readdir(state.tools.kafkaLibDir);
  // The broker jar is named kafka_<Scala version>-<Kafka version>.jar.
  const brokerJar = jars.find((name) => /^kafka_[\d.]+-[\d.]+\.jar$/.test(name));
  const kafka = brokerJar?.replace(/^kafka_[\d.]+-([\d.]+)\.jar$/, '$1') ?? 'unknown';

  const { stdout } = await run(state.tools.weed, ['version']);
  const seaweedfs = /version \S+ ([\d.]+)/.exec(stdout)?.[1] ?? 'unknown';

  const client = new pg.Client({ connectionString: env.DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ server_version: string }>('show server_version');
    return { kafka, seaweedfs, postgres: rows[0]?.server_version ?? 'unknown' };
  } finally {
    await client.end();
  }
}
