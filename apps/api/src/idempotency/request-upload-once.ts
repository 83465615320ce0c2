import { createHash } from 'node:crypto';
import {
  DomainError,
  FileUpload,
  dispatchFor,
  type Clock,
  type IdGenerator,
  type UploadRequest,
} from '@fileflow/domain';
import { acceptedBody } from '../http/accepted-response.ts';
import type { IdempotencyStore, StoredResponse } from './idempotency-store.ts';

/** Raised when an idempotency key is sent again with a different request. */
export class IdempotencyKeyReusedError extends DomainError {
  readonly code = 'IDEMPOTENCY_KEY_REUSED';

  constructor(readonly key: string) {
    super(
      'Idempotency-Key was already used with a different request body: ' +
        'send a new key for a different upload, or repeat the original body',
    );
  }
}

/** Result of an upload request under an idempotency key. */
export interface KeyedUploadResponse {
  status: number;
  body: unknown;
  uploadId: string;
  /** True when the response is the stored one of an earlier request. */
  replayed: boolean;
}

/**
 * Records a new upload unless the same owner already sent the key, in which case it returns the
 * first response. The key is checked once before any write, for the common repeat, and again
 * atomically by the store, for requests that race.
 */
export class RequestUploadOnce {
  constructor(
    private readonly store: IdempotencyStore,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
  ) {}

  /** Raises IdempotencyKeyReusedError when the key came with a different request. */
  async execute(request: UploadRequest, key: string): Promise<KeyedUploadResponse> {
    const ownerId = request.ownerId ?? '';
    const requestHash = hashRequest(request);
    const earlier = await this.store.find(ownerId, key);
    if (earlier) return replay(earlier, requestHash, key);

    const upload = FileUpload.request({ id: this.ids.next(), ...request }, this.clock.now());
    const body = acceptedBody(upload.id);
    const entry = { ownerId, key, requestHash, status: 202, body };
    const result = await this.store.addUpload(upload, [dispatchFor(upload, 'main')], entry);
    if (result.outcome === 'key-taken') return replay(result.existing, requestHash, key);
    return { status: 202, body, uploadId: upload.id, replayed: false };
  }
}

function replay(stored: StoredResponse, requestHash: string, key: string): KeyedUploadResponse {
  if (stored.requestHash !== requestHash) throw new IdempotencyKeyReusedError(key);
  return { status: stored.status, body: stored.body, uploadId: stored.uploadId, replayed: true };
}

/** Returns the SHA-256 of the fields that define an upload, so two equal requests match. */
export function hashRequest(request: UploadRequest): string {
  const fields = [request.fileUrl, request.bucketName, request.objectName];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}
