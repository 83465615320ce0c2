import { files, idempotencyKeys, outbox } from '@fileflow/db';
import type { FileUpload, UploadDispatch } from '@fileflow/domain';
import { and, eq } from 'drizzle-orm';
import { translateDatabaseError } from './database-errors.ts';
import type { Database } from './drizzle-file-repository.ts';
import { toRow, toStoredDispatch } from './file-row-mapper.ts';

/** The first response sent for an idempotency key, as stored in `idempotency_keys`. */
export interface StoredIdempotentResponse {
  requestHash: string;
  uploadId: string;
  status: number;
  body: unknown;
}

/** A key, the hash of the request it came with, and the response to store for it. */
export interface IdempotentResponseEntry {
  /** Owner of the key, or the empty string for unauthenticated requests. */
  ownerId: string;
  key: string;
  requestHash: string;
  status: number;
  body: unknown;
}

/** Outcome of `addUpload`: stored, or the key belonged to an earlier request already. */
export type IdempotentAddResult =
  { outcome: 'stored' } | { outcome: 'key-taken'; existing: StoredIdempotentResponse };

/**
 * PostgreSQL store of idempotency keys. A new upload, its outbox rows and its key are inserted
 * in one transaction that starts with `insert ... on conflict do nothing` on the key. PostgreSQL
 * makes that insert wait while another transaction holds an uncommitted row with the same key,
 * then skips it if that transaction commits, so of several racing requests exactly one writes
 * an upload and the others read its committed response.
 */
export class DrizzleIdempotencyStore {
  /** @param onDispatched called after a commit that wrote outbox rows, to wake the relay. */
  constructor(
    private readonly db: Database,
    private readonly onDispatched: () => void = () => {},
  ) {}

  /** Finds the stored response of a key, or null when the key is unused. */
  async find(ownerId: string, key: string): Promise<StoredIdempotentResponse | null> {
    const rows = await guard(() =>
      this.db
        .select()
        .from(idempotencyKeys)
        .where(and(eq(idempotencyKeys.ownerId, ownerId), eq(idempotencyKeys.key, key))),
    );
    const row = rows[0];
    if (!row) return null;
    const { requestHash, uploadId, responseStatus: status, responseBody: body } = row;
    return { requestHash, uploadId, status, body };
  }

  /** Inserts the upload, its dispatches and the key in one transaction unless the key is taken. */
  async addUpload(
    upload: FileUpload,
    dispatches: UploadDispatch[],
    entry: IdempotentResponseEntry,
  ): Promise<IdempotentAddResult> {
    if (await this.claimAndInsert(upload, dispatches, entry)) {
      upload.markStored();
      if (dispatches.length > 0) this.onDispatched();
      return { outcome: 'stored' };
    }
    const existing = await this.find(entry.ownerId, entry.key);
    // NOTE: nothing deletes keys today. If a clean-up job is added, a key it removes between the
    // conflict and this read surfaces here as an error instead of a retry.
    if (!existing)
      throw new Error(`idempotency key of owner "${entry.ownerId}" vanished after a conflict`);
    return { outcome: 'key-taken', existing };
  }

  /** Returns false, having written nothing, when the key exists. */
  private claimAndInsert(
    upload: FileUpload,
    dispatches: UploadDispatch[],
    entry: IdempotentResponseEntry,
  ): Promise<boolean> {
    return guard(() =>
      this.db.transaction(async (tx) => {
        const claimed = await tx
          .insert(idempotencyKeys)
          .values({
            ownerId: entry.ownerId,
            key: entry.key,
            requestHash: entry.requestHash,
            uploadId: upload.id,
            responseStatus: entry.status,
            responseBody: entry.body,
          })
          .onConflictDoNothing({ target: [idempotencyKeys.ownerId, idempotencyKeys.key] })
          .returning({ key: idempotencyKeys.key });
        if (claimed.length === 0) return false;
        await tx.insert(files).values(toRow(upload.snapshot()));
        if (dispatches.length > 0) await tx.insert(outbox).values(dispatches.map(toOutboxRow));
        return true;
      }),
    );
  }
}

function toOutboxRow(dispatch: UploadDispatch) {
  return {
    uploadId: dispatch.upload.id,
    queue: dispatch.queue,
    payload: toStoredDispatch(dispatch),
  };
}

async function guard<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw translateDatabaseError(error);
  }
}
