import { randomBytes } from 'node:crypto';
import { createDatabaseBeside, runMigrations } from '@fileflow/db';
import { createMinioClient } from '../runtime/clients.ts';

/** Reads a variable the local stack sets, or raises an error that says how to get one. */
export function stackVariable(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is missing: run integration tests through "npm test"`);
  return value;
}

/** Creates an empty database with the migrations applied; returns its URL. */
export async function freshDatabase(migrate = true): Promise<string> {
  const name = `test_${randomBytes(6).toString('hex')}`;
  const url = await createDatabaseBeside(stackVariable('DATABASE_URL'), name);
  if (migrate) await runMigrations(url);
  return url;
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
