import { DomainError } from '../errors/domain-error.ts';
import type { FileUpload } from '../upload/file-upload.ts';
import type { FileRepository, ObjectStorage } from '../ports/index.ts';
import { ownedBy } from './replay-upload.ts';

/** Raised when no upload has the id, or it belongs to another owner. */
export class UploadNotFoundError extends DomainError {
  readonly code = 'UPLOAD_NOT_FOUND';

  constructor(readonly uploadId: string) {
    super(`upload ${uploadId} was not found`);
  }
}

/** An upload and, when completed, a freshly presigned GET URL. */
export interface UploadView {
  upload: FileUpload;
  downloadUrl: string | null;
}

/** Reads one upload, presigning a download URL for completed uploads on every read. */
export class GetUpload {
  constructor(
    private readonly files: FileRepository,
    private readonly storage: ObjectStorage,
  ) {}

  /** Raises UploadNotFoundError when the id is unknown or owned by someone else. */
  async execute(id: string, ownerId?: string | null): Promise<UploadView> {
    const upload = await this.files.findById(id);
    if (!upload || !ownedBy(upload, ownerId)) throw new UploadNotFoundError(id);

    const { status, bucketName, objectName } = upload.snapshot();
    const downloadUrl =
      status === 'completed' ? await this.storage.presignGet(bucketName, objectName) : null;
    return { upload, downloadUrl };
  }
}
