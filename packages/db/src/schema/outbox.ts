import { sql } from 'drizzle-orm';
import { bigserial, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

const timestamps = { withTimezone: true, mode: 'date' } as const;

/**
 * Messages written in the same transaction as the state change they announce; a relay
 * publishes them to Kafka and stamps `sent_at`.
 */
export const outbox = pgTable(
  'outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    uploadId: uuid('upload_id').notNull(),
    queue: text('queue').notNull(),
    payload: jsonb('payload').notNull(),
    createdAt: timestamp('created_at', timestamps).notNull().defaultNow(),
    sentAt: timestamp('sent_at', timestamps),
  },
  (table) => [index('outbox_unsent_idx').on(table.id).where(sql`${table.sentAt} is null`)],
);

/** Row type of `outbox`. */
export type OutboxRow = typeof outbox.$inferSelect;
