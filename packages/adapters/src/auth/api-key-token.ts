import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Prefix that makes FileFlow keys recognisable, for example to secret scanners. */
export const API_KEY_PREFIX = 'ffk_';

const TOKEN_SHAPE = /^ffk_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

/** A new key: the token shown once, and what is stored of it. */
export interface NewToken {
  token: string;
  publicId: string;
  hash: string;
}

/** Creates a key of 12 public alphanumeric characters and a 256-bit secret. */
export function generateToken(): NewToken {
  const publicId = randomBytes(16).toString('base64url').replace(/[-_]/g, '').slice(0, 12).padEnd(12, '0');
  const token = `${API_KEY_PREFIX}${publicId}_${randomBytes(32).toString('base64url')}`;
  return { token, publicId, hash: hashToken(token) };
}

/** Returns the public id of a well-formed token, or null. */
export function publicIdOf(token: string): string | null {
  return TOKEN_SHAPE.exec(token)?.[1] ?? null;
}

/** Lowercase hex SHA-256 of a token; a fast hash suits a 256-bit random secret. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Compares a token with a stored hash in constant time. */
export function tokenMatches(token: string, storedHash: string): boolean {
  const presented = Buffer.from(hashToken(token), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

/** True when `bucket` is named by a pattern: an exact name, `prefix-*`, or `*` for all. */
export function bucketAllowed(patterns: readonly string[], bucket: string): boolean {
  return patterns.some((pattern) =>
    pattern.endsWith('*') ? bucket.startsWith(pattern.slice(0, -1)) : bucket === pattern,
  );
}

/** Raises an error naming the first pattern that is not a bucket name or `prefix*`. */
export function checkBucketPatterns(patterns: readonly string[]): void {
  if (patterns.length === 0) throw new Error('a key needs at least one bucket: pass --buckets name,prefix-*');
  for (const pattern of patterns) {
    if (!/^(\*|[a-z0-9][a-z0-9.-]{0,62}\*?)$/.test(pattern)) {
      throw new Error(`invalid bucket pattern "${pattern}": use an exact bucket name, a prefix ending in *, or *`);
    }
  }
}
