import { createCipheriv, createHash } from 'node:crypto';

/** Size of the chunks a generated file is produced in, in bytes. */
export const CHUNK_BYTES = 1024 * 1024;

const ZEROS = Buffer.alloc(CHUNK_BYTES);

/**
 * Yields the bytes of the generated file `name`: the AES-128-CTR keystream keyed by the SHA-256
 * of the name. The bytes look random, so no layer can compress them, yet every process derives
 * the same file from its name alone, without keeping it in memory or on disk.
 */
export function* generatedChunks(name: string, size: number): Generator<Buffer> {
  const seed = createHash('sha256').update(name).digest();
  const cipher = createCipheriv('aes-128-ctr', seed.subarray(0, 16), seed.subarray(16, 32));
  for (let offset = 0; offset < size; offset += CHUNK_BYTES) {
    const length = Math.min(CHUNK_BYTES, size - offset);
    yield cipher.update(ZEROS.subarray(0, length));
  }
}

/** Lowercase hex SHA-256 of the generated file `name` of `size` bytes. */
export function generatedSha256(name: string, size: number): string {
  const hash = createHash('sha256');
  for (const chunk of generatedChunks(name, size)) hash.update(chunk);
  return hash.digest('hex');
}
