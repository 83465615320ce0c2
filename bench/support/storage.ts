import { createHash } from 'node:crypto';
import { createMinioClient } from '@fileflow/adapters';
import type { StackEnv } from './stack.ts';

/** Reads a stored object back from S3 and returns the lowercase hex SHA-256 of its bytes. */
export async function storedSha256(stack: StackEnv, bucket: string, key: string): Promise<string> {
  const client = createMinioClient({
    endpoint: stack.S3_ENDPOINT,
    accessKey: stack.S3_ACCESS_KEY,
    secretKey: stack.S3_SECRET_KEY,
    region: stack.S3_REGION,
  });
  const hash = createHash('sha256');
  for await (const chunk of await client.getObject(bucket, key)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Reads `sample` objects of `keys`, spread evenly, back from S3 and raises an error unless each
 * has the SHA-256 that `expectedSha256` returns for its key.
 */
export async function checkStoredObjects(
  stack: StackEnv,
  bucket: string,
  keys: string[],
  expectedSha256: (key: string) => string,
  sample = keys.length,
): Promise<void> {
  const step = Math.max(1, Math.floor(keys.length / sample));
  for (let index = 0; index < keys.length; index += step) {
    const key = keys[index]!;
    const stored = await storedSha256(stack, bucket, key);
    if (stored !== expectedSha256(key)) {
      throw new Error(`object ${bucket}/${key} read back from S3 has SHA-256 ${stored}, not the source's`);
    }
  }
}
