import type { FileUpload } from '../upload/file-upload.ts';
import type { DispatchQueue, UploadDispatch } from '../ports/index.ts';

/** Builds a dispatch of the upload's current attempt to `queue`. */
export function dispatchFor(
  upload: FileUpload,
  queue: DispatchQueue,
  extra: Partial<UploadDispatch> = {},
): UploadDispatch {
  const { id, fileUrl, bucketName, objectName, nextAttemptAt, firstFailedAt, lastError } =
    upload.snapshot();
  return {
    queue,
    upload: { id, fileUrl, bucketName, objectName },
    attempt: upload.attempt,
    ...(nextAttemptAt ? { dueAt: nextAttemptAt } : {}),
    ...(firstFailedAt ? { firstFailedAt } : {}),
    ...(lastError ? { failure: lastError } : {}),
    ...extra,
  };
}
