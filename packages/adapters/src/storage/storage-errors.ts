import { UploadFailure } from '@fileflow/domain';

/** S3 error codes that a later attempt cannot fix. */
const PERMANENT_S3_CODES = new Set([
  'AccessDenied',
  'InvalidBucketName',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'KeyTooLongError',
  'InvalidObjectName',
  'EntityTooLarge',
  'BucketAlreadyExists',
]);

/** minio client errors raised before any request, for values S3 would reject. */
const PERMANENT_CLIENT_ERRORS = new Set(['InvalidBucketNameError', 'InvalidObjectNameError', 'InvalidArgumentError']);

/** Translates a minio client error into an UploadFailure; UploadFailures pass through. */
export function translateStorageError(error: unknown, bucketName: string, objectName: string) {
  if (error instanceof UploadFailure) return error;
  const name = (error as { name?: string } | null)?.name ?? '';
  const code = (error as { code?: string } | null)?.code ?? '';
  const where = `bucket "${bucketName}", object "${objectName}"`;
  if (PERMANENT_S3_CODES.has(code) || PERMANENT_CLIENT_ERRORS.has(name)) {
    const reason = code || name;
    return new UploadFailure('STORAGE_REJECTED', `object storage rejected ${where}: ${reason}`, { cause: error });
  }
  const reason = code || (error instanceof Error ? error.message : String(error));
  return new UploadFailure('STORAGE_UNAVAILABLE', `object storage unavailable for ${where}: ${reason}`, {
    cause: error,
  });
}
