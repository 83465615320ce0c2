import type { UploadView } from '@fileflow/domain';

/** Converts an upload into the API's snake_case shape. */
export function toUploadView({ upload, downloadUrl }: UploadView) {
  const p = upload.snapshot();
  return {
    id: p.id,
    file_url: p.fileUrl,
    bucket_name: p.bucketName,
    object_name: p.objectName,
    status: p.status,
    retry_count: p.retryCount,
    last_error: p.lastError
      ? { code: p.lastError.code, class: p.lastError.failureClass, message: p.lastError.message }
      : null,
    etag: p.etag,
    size: p.size,
    sha256: p.sha256,
    content_type: p.contentType,
    next_attempt_at: p.nextAttemptAt?.toISOString() ?? null,
    created_at: p.createdAt.toISOString(),
    updated_at: p.updatedAt.toISOString(),
    completed_at: p.completedAt?.toISOString() ?? null,
    download_url: downloadUrl,
  };
}
