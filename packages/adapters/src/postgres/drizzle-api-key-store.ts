import { randomUUID } from 'node:crypto';
import { apiKeys, type ApiKeyRow } from '@fileflow/db';
import { asc, eq, or, sql } from 'drizzle-orm';
import { checkBucketPatterns, generateToken } from '../auth/api-key-token.ts';
import type { Database } from './drizzle-file-repository.ts';
import { translateDatabaseError } from './database-errors.ts';

/** Fields of a key that may be shown, without the token or its hash. */
export type ApiKeySummary = Omit<ApiKeyRow, 'keyHash' | 'publicId'>;

/** A key found by its public id, with the hash to compare the presented token against. */
export type StoredApiKey = Pick<ApiKeyRow, 'id' | 'name' | 'keyHash' | 'allowedBuckets' | 'revokedAt' | 'lastUsedAt'>;

/** Stores API keys in PostgreSQL; the token itself is returned once by `create` and never kept. */
export class DrizzleApiKeyStore {
  /** The lookup that every API request makes, built by drizzle once and named for PostgreSQL. */
  private readonly selectByPublicId;

  constructor(private readonly db: Database) {
    this.selectByPublicId = db
      .select()
      .from(apiKeys)
      .where(eq(apiKeys.publicId, sql.placeholder('publicId')))
      .limit(1)
      .prepare('fileflow_find_api_key');
  }

  /** Creates a key; raises when the name is taken or a bucket pattern is invalid. */
  async create(name: string, allowedBuckets: string[]): Promise<{ token: string; key: ApiKeySummary }> {
    checkBucketPatterns(allowedBuckets);
    const { token, publicId, hash } = generateToken();
    const [row] = await this.guard(() =>
      this.db
        .insert(apiKeys)
        .values({ id: randomUUID(), name, publicId, keyHash: hash, allowedBuckets })
        .returning(),
    );
    return { token, key: summarize(row!) };
  }

  /** Lists every key, oldest first. */
  async list(): Promise<ApiKeySummary[]> {
    const rows = await this.guard(() => this.db.select().from(apiKeys).orderBy(asc(apiKeys.createdAt)));
    return rows.map(summarize);
  }

  /** Revokes the key with this name or id; returns it, or null when none matched. */
  async revoke(nameOrId: string, now = new Date()): Promise<ApiKeySummary | null> {
    const byId = /^[0-9a-f-]{36}$/i.test(nameOrId) ? eq(apiKeys.id, nameOrId) : undefined;
    const rows = await this.guard(() =>
      this.db
        .update(apiKeys)
        .set({ revokedAt: now })
        .where(byId ? or(byId, eq(apiKeys.name, nameOrId)) : eq(apiKeys.name, nameOrId))
        .returning(),
    );
    return rows[0] ? summarize(rows[0]) : null;
  }

  /** Finds a key by the public id part of its token. */
  async findByPublicId(publicId: string): Promise<StoredApiKey | null> {
    const rows = await this.guard(() => this.selectByPublicId.execute({ publicId }));
    return rows[0] ?? null;
  }

  /** Records the time of a key's last use. */
  async touch(id: string, now: Date): Promise<void> {
    await this.guard(() => this.db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, id)));
  }

  /** Finds a key by name. */
  async findByName(name: string): Promise<ApiKeySummary | null> {
    const rows = await this.guard(() => this.db.select().from(apiKeys).where(eq(apiKeys.name, name)));
    return rows[0] ? summarize(rows[0]) : null;
  }

  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw translateDatabaseError(error);
    }
  }
}

function summarize(row: ApiKeyRow): ApiKeySummary {
  const { keyHash: _hash, publicId: _publicId, ...summary } = row;
  return summary;
}
