import { createHash } from 'node:crypto';
import { createMinioClient } from '@fileflow/adapters';
import { stackEnv } from './stack-env.ts';

/** A minio client for the test stack's S3 server. */
export function storageClient() {
  const env = stackEnv();
  return createMinioClient({
    endpoint: env.S3_ENDPOINT,
    accessKey: env.S3_ACCESS_KEY,
    secretKey: env.S3_SECRET_KEY,
    region: env.S3_REGION,
  });
}

/** Reads a whole stored object. */
export async function readObject(bucket: string, key: string): Promise<Buffer> {
  const stream = await storageClient().getObject(bucket, key);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Lowercase hex SHA-256 of `bytes`. */
export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
