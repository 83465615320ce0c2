import type {
  DeliveryOrigin,
  ObjectStorage,
  ProcessOutcome,
  ProcessUpload,
  UploadJob,
} from '@fileflow/domain';
import type { Logger } from 'pino';
import type { HandlerResult, JobHandler } from '../kafka/upload-consumer.ts';

/** Counters a job handler reports to; metrics adapters implement it. */
export interface OutcomeRecorder {
  record(outcome: ProcessOutcome, durationMs: number): void;
}

/**
 * Builds the consumer's job handler: runs ProcessUpload and logs its outcome. The message is
 * committed for every outcome except an abandoned attempt, which must be redelivered.
 */
export function createJobHandler(
  process: ProcessUpload,
  logger: Logger,
  recorder: OutcomeRecorder,
  storage: Pick<ObjectStorage, 'presignGet'>,
): JobHandler {
  return async (job: UploadJob, origin: DeliveryOrigin, signal: AbortSignal): Promise<HandlerResult> => {
    const fields = { uploadId: job.uploadId, attempt: job.attempt, ...origin };
    const started = performance.now();
    logger.info(fields, 'attempt started');
    const outcome = await process.execute(job, signal, origin);
    recorder.record(outcome, performance.now() - started);
    await logOutcome(logger, fields, outcome, storage);
    if (outcome.kind === 'outage') throw new OutageError(outcome.failure.message, { cause: outcome.failure });
    return outcome.kind === 'abandoned' ? 'retry-later' : 'done';
  };
}

/** Raised to make the consumer back off and redeliver while a shared service is down. */
export class OutageError extends Error {
  readonly code = 'OUTAGE';
}

async function logOutcome(
  logger: Logger,
  fields: object,
  outcome: ProcessOutcome,
  storage: Pick<ObjectStorage, 'presignGet'>,
): Promise<void> {
  switch (outcome.kind) {
    case 'completed': {
      const { objectName, bucketName } = outcome.upload.snapshot();
      const { etag, size, contentType, sha256 } = outcome.stored;
      // The logger redacts the signature in the query string of downloadUrl.
      const downloadUrl = await storage.presignGet(bucketName, objectName).catch(() => null);
      logger.info(
        { ...fields, bucketName, objectName, etag, size, contentType, sha256, downloadUrl },
        'upload completed',
      );
      return;
    }
    case 'retry-scheduled':
      logger.warn(
        { ...fields, errorCode: outcome.failure.code, error: outcome.failure.message, retryInMs: outcome.delayMs },
        'attempt failed; retry scheduled',
      );
      return;
    case 'failed':
      logger.error(
        { ...fields, errorCode: outcome.failure.code, error: outcome.failure.message, reason: outcome.reason },
        'upload failed; sent to the dead-letter topic',
      );
      return;
    case 'outage':
      logger.warn(
        { ...fields, errorCode: outcome.failure.code, error: outcome.failure.message },
        'attempt put back: a shared service is unavailable',
      );
      return;
    case 'abandoned':
      logger.warn(fields, 'attempt abandoned on shutdown; it will be redelivered');
      return;
    case 'skipped':
      logger.info({ ...fields, reason: outcome.reason }, 'message skipped');
  }
}
