import { UploadFailure } from '../errors/upload-failure.ts';
import type { FileUpload, StoredObject } from '../upload/file-upload.ts';
import type { RetryPolicy } from '../retry/retry-policy.ts';
import type {
  CancellationSignal,
  Clock,
  DeliveryOrigin,
  Ticker,
  FileRepository,
  ObjectStorage,
  RandomSource,
  RemoteFileSource,
  UploadJob,
} from '../ports/index.ts';
import { dispatchFor } from './dispatch.ts';

/** Reason a message led to no attempt. */
export type SkipReason = 'not-found' | 'already-final' | 'stale-message' | 'in-progress' | 'lost-lease';

/** Outcome of one message. */
export type ProcessOutcome =
  | { kind: 'skipped'; reason: SkipReason }
  | { kind: 'abandoned' }
  | { kind: 'outage'; failure: UploadFailure }
  | { kind: 'completed'; upload: FileUpload; stored: StoredObject }
  | { kind: 'retry-scheduled'; upload: FileUpload; failure: UploadFailure; delayMs: number }
  | { kind: 'failed'; upload: FileUpload; failure: UploadFailure; reason: string };

/** Settings of ProcessUpload. */
export interface ProcessUploadSettings {
  /** How long an attempt may hold an upload before another consumer may take it over. */
  leaseMs: number;
  /** How often a running attempt extends its lease; below `leaseMs`. */
  leaseRenewalMs: number;
}

/** Ports ProcessUpload works through. */
export interface ProcessUploadPorts {
  files: FileRepository;
  source: RemoteFileSource;
  storage: ObjectStorage;
  clock: Clock;
  random: RandomSource;
  ticker: Ticker;
  retryPolicy: RetryPolicy;
}

/**
 * Runs one attempt of an upload: claims it, streams the source into object storage and records
 * the outcome. Safe to run twice for the same message: a completed or failed upload, a stale
 * message or an upload that another attempt leases is skipped, and every write is conditional.
 */
export class ProcessUpload {
  constructor(
    private readonly ports: ProcessUploadPorts,
    private readonly settings: ProcessUploadSettings,
  ) {}

  async execute(
    job: UploadJob,
    signal: CancellationSignal,
    origin?: DeliveryOrigin,
  ): Promise<ProcessOutcome> {
    const { files, clock } = this.ports;
    const upload = await files.findById(job.uploadId);
    const skip = upload ? this.reasonToSkip(upload, job) : 'not-found';
    if (skip || !upload) return { kind: 'skipped', reason: skip ?? 'not-found' };

    upload.startAttempt(clock.now(), this.settings.leaseMs);
    if ((await files.update(upload)) === 'conflict') return { kind: 'skipped', reason: 'in-progress' };

    let stored: StoredObject;
    try {
      stored = await this.copyHoldingLease(upload, signal);
    } catch (error) {
      const failure = UploadFailure.unexpected(error);
      if (signal.aborted) return this.abandon(upload);
      if (failure.isOutage) return this.abandon(upload, failure);
      return this.recordFailure(upload, failure, origin);
    }
    return this.recordSuccess(upload, stored);
  }

  private async copyHoldingLease(upload: FileUpload, signal: CancellationSignal) {
    const { files, clock, ticker } = this.ports;
    const stop = ticker.every(this.settings.leaseRenewalMs, () => {
      upload.extendLease(clock.now(), this.settings.leaseMs);
      // A failed renewal is harmless: the lease runs out and another consumer takes over.
      files.extendLease(upload).catch(() => {});
    });
    try {
      return await this.copy(upload, signal);
    } finally {
      stop();
    }
  }

  private reasonToSkip(upload: FileUpload, job: UploadJob): SkipReason | null {
    const now = this.ports.clock.now();
    if (upload.status === 'completed' || upload.status === 'failed') return 'already-final';
    if (upload.hasLiveLease(now)) return 'in-progress';
    // A message for an earlier attempt was redelivered after that attempt's outcome was stored.
    if (job.attempt < upload.attempt) return 'stale-message';
    return null;
  }

  private async copy(upload: FileUpload, signal: CancellationSignal): Promise<StoredObject> {
    const { fileUrl, bucketName, objectName } = upload.snapshot();
    const file = await this.ports.source.open(fileUrl, signal);
    return this.ports.storage.put({ bucketName, objectName, file, signal });
  }

  private async recordSuccess(upload: FileUpload, stored: StoredObject): Promise<ProcessOutcome> {
    upload.complete(stored, this.ports.clock.now());
    const result = await this.ports.files.update(upload);
    if (result === 'conflict') return { kind: 'skipped', reason: 'lost-lease' };
    return { kind: 'completed', upload, stored };
  }

  private async abandon(upload: FileUpload, failure?: UploadFailure): Promise<ProcessOutcome> {
    upload.abandonAttempt(this.ports.clock.now(), failure);
    const result = await this.ports.files.update(upload);
    if (result === 'conflict') return { kind: 'skipped', reason: 'lost-lease' };
    return failure ? { kind: 'outage', failure } : { kind: 'abandoned' };
  }

  private async recordFailure(
    upload: FileUpload,
    failure: UploadFailure,
    origin: DeliveryOrigin | undefined,
  ): Promise<ProcessOutcome> {
    const { clock, random, retryPolicy, files } = this.ports;
    const now = clock.now();
    const decision = retryPolicy.decide(upload.attempt, failure.retryable, random);

    if (decision.kind === 'retry') {
      upload.scheduleRetry(failure, now, new Date(now.getTime() + decision.delayMs));
      const result = await files.update(upload, [dispatchFor(upload, 'retry')]);
      if (result === 'conflict') return { kind: 'skipped', reason: 'lost-lease' };
      return { kind: 'retry-scheduled', upload, failure, delayMs: decision.delayMs };
    }

    upload.fail(failure, now);
    const deadLetter = dispatchFor(upload, 'dead-letter', origin ? { origin } : {});
    const result = await files.update(upload, [deadLetter]);
    if (result === 'conflict') return { kind: 'skipped', reason: 'lost-lease' };
    return { kind: 'failed', upload, failure, reason: decision.reason };
  }
}
