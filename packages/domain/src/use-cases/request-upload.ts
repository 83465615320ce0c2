import { FileUpload } from '../upload/file-upload.ts';
import type { Clock, FileRepository, IdGenerator } from '../ports/index.ts';
import { dispatchFor } from './dispatch.ts';

/** A validated request to copy a file from a URL into a bucket. */
export interface UploadRequest {
  fileUrl: string;
  bucketName: string;
  objectName: string;
  ownerId?: string | null;
}

/** Records a new upload and queues its first attempt in one write. */
export class RequestUpload {
  constructor(
    private readonly files: FileRepository,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
  ) {}

  async execute(request: UploadRequest): Promise<FileUpload> {
    const upload = FileUpload.request({ id: this.ids.next(), ...request }, this.clock.now());

    await this.files.add(upload, [dispatchFor(upload, 'main')]);
    return upload;
  }
}
