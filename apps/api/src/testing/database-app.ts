import { randomBytes } from 'node:crypto';
import { DrizzleFileRepository, DrizzleIdempotencyStore, createDatabase } from '@fileflow/adapters';
import { createDatabaseBeside, runMigrations } from '@fileflow/db';
import pg from 'pg';
import { createTestApp } from './test-app.ts';

/** Creates an empty, migrated database next to the one in DATABASE_URL and returns its URL. */
export async function freshDatabase(): Promise<string> {
  const base = process.env.DATABASE_URL;
  if (!base) {
    throw new Error(
      'DATABASE_URL is missing: run integration tests through infra/local/cli.mjs exec',
    );
  }
  const url = await createDatabaseBeside(base, `api_test_${randomBytes(6).toString('hex')}`);
  await runMigrations(url);
  return url;
}

/** Builds the API on a fresh PostgreSQL database, with fake storage because nothing is copied. */
export async function buildDatabaseApp() {
  const pool = new pg.Pool({ connectionString: await freshDatabase(), max: 25 });
  const db = createDatabase(pool);
  const app = createTestApp(new DrizzleFileRepository(db), new DrizzleIdempotencyStore(db));
  return { app, pool };
}
