import { randomBytes } from 'node:crypto';
import { runMigrations } from '@fileflow/db';
import pg from 'pg';
import { createMinioClient } from '../runtime/clients.ts';

/** Reads a variable the local stack sets, or raises an error that says how to get one. */
export function stackVariable(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is missing: run integration tests through "npm test"`);
  return value;
}

/** Creates an empty database with the migrations applied; returns its URL. */
export async function freshDatabase(migrate = true): Promise<string> {
  const base = new URL(stackVariable('DATABASE_URL'));
  const name = `test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base.toString() });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  base.pathname = `/${name}`;
  if (migrate) await runMigrations(base.toString());
  return base.toString();
}

/** A minio client for the stack's S3 server, through `endpoint` when given. */
export function testStorageClient(endpoint = stackVariable('S3_ENDPOINT')) {
  return createMinioClient({
    endpoint,
    accessKey: stackVariable('S3_ACCESS_KEY'),
    secretKey: stackVariable('S3_SECRET_KEY'),
    region: 'us-east-1',
  });
}

/** A random lowercase name usable as a bucket or topic. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}
