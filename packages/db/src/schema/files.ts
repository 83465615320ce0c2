import { sql } from 'drizzle-orm';
import {
  bigint,
  index,
  integer,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';

/** Status of an upload; the same closed set as the domain's UploadStatus. */
export const uploadStatus = pgEnum('upload_status', ['pending', 'processing', 'completed', 'failed']);

/** Whether a retry could help the recorded failure. */
export const failureClass = pgEnum('failure_class', ['retryable', 'permanent']);

const timestamps = { withTimezone: true, mode: 'date' } as const;

/** One upload request and its progress. */
export const files = pgTable(
  'files',
  {
    id: uuid('id').primaryKey(),
    fileUrl: text('file_url').notNull(),
    bucketName: text('bucket_name').notNull(),
    objectName: text('object_name').notNull(),
    status: uploadStatus('status').notNull().default('pending'),
    retryCount: integer('retry_count').notNull().default(0),
    lastError: text('last_error'),
    lastErrorCode: text('last_error_code'),
    lastErrorClass: failureClass('last_error_class'),
    etag: text('etag'),
    size: bigint('size', { mode: 'number' }),
    sha256: text('sha256'),
    contentType: text('content_type'),
    ownerId: text('owner_id'),
    leaseExpiresAt: timestamp('lease_expires_at', timestamps),
    nextAttemptAt: timestamp('next_attempt_at', timestamps),
    firstFailedAt: timestamp('first_failed_at', timestamps),
    createdAt: timestamp('created_at', timestamps).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', timestamps).notNull().defaultNow(),
    completedAt: timestamp('completed_at', timestamps),
    version: integer('version').notNull().default(1),
  },
  (table) => [
    index('files_status_idx').on(table.status),
    index('files_created_at_id_idx').on(table.createdAt.desc(), table.id.desc()),
    index('files_owner_created_at_idx').on(table.ownerId, table.createdAt.desc()),
    index('files_lease_idx')
      .on(table.leaseExpiresAt)
      .where(sql`${table.status} = 'processing'`),
  ],
);

/** Row type of `files`. */
export type FileRow = typeof files.$inferSelect;
