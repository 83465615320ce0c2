import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

const timestamps = { withTimezone: true, mode: 'date' } as const;

/**
 * API keys. A key is `ffk_<public_id>_<secret>`; only the SHA-256 of the whole key is stored,
 * and the public id finds the row without revealing the secret.
 */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey(),
    name: text('name').notNull().unique(),
    publicId: text('public_id').notNull().unique(),
    keyHash: text('key_hash').notNull(),
    /** Exact bucket names, or prefixes written `media-*`; `*` allows every bucket. */
    allowedBuckets: text('allowed_buckets').array().notNull(),
    createdAt: timestamp('created_at', timestamps).notNull().defaultNow(),
    revokedAt: timestamp('revoked_at', timestamps),
    lastUsedAt: timestamp('last_used_at', timestamps),
  },
  (table) => [index('api_keys_revoked_at_idx').on(table.revokedAt)],
);

/** Row type of `api_keys`. */
export type ApiKeyRow = typeof apiKeys.$inferSelect;
