import { DomainError } from '../errors/domain-error.ts';
import type { FileUpload } from '../upload/file-upload.ts';
import type { Clock, FileRepository } from '../ports/index.ts';
import { dispatchFor } from './dispatch.ts';
import { UploadNotFoundError } from './get-upload.ts';

/** Raised when a replay is asked for an upload that is not failed. */
export class NotReplayableError extends DomainError {
  readonly code = 'NOT_REPLAYABLE';

  constructor(
    readonly uploadId: string,
    readonly status: string,
  ) {
    super(`upload ${uploadId} is ${status}; only failed uploads can be replayed`);
  }
}

/** Puts a failed upload back to `pending` with a fresh retry budget and queues attempt 1. */
export class ReplayUpload {
  constructor(
    private readonly files: FileRepository,
    private readonly clock: Clock,
  ) {}

  /** Raises UploadNotFoundError, or NotReplayableError unless the upload is failed. */
  async execute(id: string, ownerId?: string | null): Promise<FileUpload> {
    const upload = await this.files.findById(id);
    if (!upload || !ownedBy(upload, ownerId)) throw new UploadNotFoundError(id);
    if (upload.status !== 'failed') throw new NotReplayableError(id, upload.status);

    upload.replay(this.clock.now());
    const result = await this.files.update(upload, [dispatchFor(upload, 'main')]);
    if (result === 'conflict') throw new NotReplayableError(id, 'being changed by another request');
    return upload;
  }
}

/** True when `ownerId` is absent (no owner check) or owns the upload. */
export function ownedBy(upload: FileUpload, ownerId: string | null | undefined): boolean {
  return ownerId === undefined || upload.snapshot().ownerId === ownerId;
}
