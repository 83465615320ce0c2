import type { FileUpload, UploadDispatch } from '@fileflow/domain';

/** The first response sent for an idempotency key, as stored. */
export interface StoredResponse {
  /** SHA-256 of the request that got the response, which a repeat must match. */
  requestHash: string;
  uploadId: string;
  status: number;
  body: unknown;
}

/** An idempotency key with the request it came with and the response to store for it. */
export interface IdempotencyEntry {
  /** Owner of the key, or the empty string for unauthenticated requests. */
  ownerId: string;
  key: string;
  requestHash: string;
  status: number;
  body: unknown;
}

/** Outcome of adding an upload under a key: stored, or the key was taken by an earlier request. */
export type KeyedAddResult =
  { outcome: 'stored' } | { outcome: 'key-taken'; existing: StoredResponse };

/**
 * Store of the first response to each idempotency key, per owner. `addUpload` writes the key,
 * the upload and its dispatches in one transaction, so of several requests racing with one key
 * exactly one stores its upload and the others get that request's response.
 */
export interface IdempotencyStore {
  /** Finds the stored response for a key, or null when the key is unused. */
  find(ownerId: string, key: string): Promise<StoredResponse | null>;
  /** Inserts upload, dispatches and key together unless the key is taken. */
  addUpload(
    upload: FileUpload,
    dispatches: UploadDispatch[],
    entry: IdempotencyEntry,
  ): Promise<KeyedAddResult>;
}
