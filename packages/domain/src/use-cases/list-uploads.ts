import type { FileRepository, UploadPage, UploadQuery } from '../ports/index.ts';
import type { UploadStatus } from '../upload/upload-status.ts';

/** Lists uploads newest first and counts them by status. */
export class ListUploads {
  constructor(private readonly files: FileRepository) {}

  execute(query: UploadQuery): Promise<UploadPage> {
    return this.files.list(query);
  }

  countByStatus(ownerId?: string): Promise<Record<UploadStatus, number>> {
    return this.files.countByStatus(ownerId);
  }
}
