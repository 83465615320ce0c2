import { randomBytes, randomUUID } from 'node:crypto';
import {
  DrizzleFileRepository,
  DrizzleIdempotencyStore,
  Metrics,
  createDatabase,
  createLogger,
} from '@fileflow/adapters';
import { runMigrations } from '@fileflow/db';
import { GetUpload, ListUploads, ReplayUpload, RequestUpload } from '@fileflow/domain';
import pg from 'pg';
import { createApp } from '../app.ts';
import { RequestUploadOnce } from '../idempotency/request-upload-once.ts';
import { fakeStorage } from './test-app.ts';

/** Creates an empty, migrated database next to the one in DATABASE_URL and returns its URL. */
export async function freshDatabase(): Promise<string> {
  const base = process.env.DATABASE_URL;
  if (!base) {
    throw new Error(
      'DATABASE_URL is missing: run integration tests through infra/local/cli.mjs exec',
    );
  }
  const url = new URL(base);
  const name = `api_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  url.pathname = `/${name}`;
  await runMigrations(url.toString());
  return url.toString();
}

/** Builds the API on a fresh PostgreSQL database, with fake storage because nothing is copied. */
export async function buildDatabaseApp() {
  const pool = new pg.Pool({ connectionString: await freshDatabase(), max: 25 });
  const db = createDatabase(pool);
  const files = new DrizzleFileRepository(db);
  const clock = { now: () => new Date() };
  const ids = { next: randomUUID };
  const app = createApp({
    logger: createLogger('api-test', 'silent'),
    metrics: new Metrics('api'),
    readiness: [],
    // Authentication is tested on its own; these apps let every request through.
    auth: async (_c, next) => next(),
    maxBodyBytes: 16 * 1024,
    requestUpload: new RequestUpload(files, ids, clock),
    requestUploadOnce: new RequestUploadOnce(new DrizzleIdempotencyStore(db), ids, clock),
    getUpload: new GetUpload(files, fakeStorage),
    listUploads: new ListUploads(files),
    replayUpload: new ReplayUpload(files, clock),
  });
  return { app, pool };
}
