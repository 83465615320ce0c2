import { IllegalTransitionError } from '../errors/domain-error.ts';
import type { FailureClass, FailureCode, UploadFailure } from '../errors/upload-failure.ts';
import { canTransition, type UploadStatus } from './upload-status.ts';

/** Result that object storage reported after storing an upload's bytes. */
export interface StoredObject {
  etag: string;
  /** Bytes stored, equal to the bytes received from the source. */
  size: number;
  /** Lowercase hex SHA-256 of the stored bytes. */
  sha256: string;
  contentType: string;
}

/** The last failure recorded on an upload. */
export interface RecordedFailure {
  code: FailureCode;
  failureClass: FailureClass;
  message: string;
}

/** Every field of an upload, as stored. */
export interface FileUploadProps {
  id: string;
  fileUrl: string;
  bucketName: string;
  objectName: string;
  status: UploadStatus;
  /** Retries after the first attempt; attempt N has `retryCount` N - 1. */
  retryCount: number;
  lastError: RecordedFailure | null;
  etag: string | null;
  size: number | null;
  sha256: string | null;
  contentType: string | null;
  /** Owner of the upload, such as the API key that requested it; null when unowned. */
  ownerId: string | null;
  /** End of the current attempt's lease; another consumer may take over after it. */
  leaseExpiresAt: Date | null;
  /** When a scheduled retry becomes due. */
  nextAttemptAt: Date | null;
  firstFailedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  completedAt: Date | null;
  /** Incremented by every transition; stores are conditional on it. */
  version: number;
}

/** Input for a new upload request. */
export interface NewUpload {
  id: string;
  fileUrl: string;
  bucketName: string;
  objectName: string;
  ownerId?: string | null;
}

/** One request to copy a file from a URL into object storage, and its progress. */
export class FileUpload {
  private props: FileUploadProps;
  private storedVersion: number;

  private constructor(props: FileUploadProps, storedVersion: number) {
    this.props = { ...props };
    this.storedVersion = storedVersion;
  }

  /** Creates a pending upload that has never been stored. */
  static request(input: NewUpload, now: Date): FileUpload {
    const props: FileUploadProps = {
      ...input,
      ownerId: input.ownerId ?? null,
      status: 'pending',
      retryCount: 0,
      lastError: null,
      etag: null,
      size: null,
      sha256: null,
      contentType: null,
      leaseExpiresAt: null,
      nextAttemptAt: null,
      firstFailedAt: null,
      createdAt: now,
      updatedAt: now,
      completedAt: null,
      version: 1,
    };
    return new FileUpload(props, 0);
  }

  /** Rebuilds an upload read from storage. */
  static restore(props: FileUploadProps): FileUpload {
    return new FileUpload(props, props.version);
  }

  get id(): string {
    return this.props.id;
  }

  get status(): UploadStatus {
    return this.props.status;
  }

  /** Number of the current or next attempt, starting at 1. */
  get attempt(): number {
    return this.props.retryCount + 1;
  }

  /** Version the stored row had when this upload was read or last saved. */
  get storedVersionNumber(): number {
    return this.storedVersion;
  }

  /** Returns a copy of every field. */
  snapshot(): Readonly<FileUploadProps> {
    return { ...this.props };
  }

  /** True when an attempt holds a lease that has not expired at `now`. */
  hasLiveLease(now: Date): boolean {
    const lease = this.props.leaseExpiresAt;
    return this.props.status === 'processing' && lease !== null && lease > now;
  }

  /**
   * Starts an attempt: from `pending`, or from `processing` when the previous attempt's lease
   * expired. Raises IllegalTransitionError otherwise.
   */
  startAttempt(now: Date, leaseMs: number): void {
    if (this.hasLiveLease(now)) this.reject('processing');
    this.move('processing', now);
    this.props.leaseExpiresAt = new Date(now.getTime() + leaseMs);
    this.props.nextAttemptAt = null;
  }

  /** Moves the lease of the running attempt to `now + leaseMs`; the version stays the same. */
  extendLease(now: Date, leaseMs: number): void {
    if (this.props.status !== 'processing') this.reject('processing');
    this.props.leaseExpiresAt = new Date(now.getTime() + leaseMs);
  }

  /** Records the stored object and completes the upload. */
  complete(stored: StoredObject, now: Date): void {
    this.move('completed', now);
    Object.assign(this.props, stored);
    this.props.completedAt = now;
    this.props.leaseExpiresAt = null;
  }

  /** Records a failed attempt and returns the upload to `pending` until `dueAt`. */
  scheduleRetry(failure: UploadFailure, now: Date, dueAt: Date): void {
    this.move('pending', now);
    this.recordFailure(failure, now);
    this.props.retryCount += 1;
    this.props.nextAttemptAt = dueAt;
  }

  /**
   * Ends the current attempt without using a retry, such as on shutdown or during an outage
   * of a shared service, so the next delivery runs the same attempt again. A failure given
   * is recorded as the last error.
   */
  abandonAttempt(now: Date, failure?: UploadFailure): void {
    this.move('pending', now);
    this.props.leaseExpiresAt = null;
    if (failure) this.recordFailure(failure, now);
  }

  /** Records the final failure; no attempt follows unless the upload is replayed. */
  fail(failure: UploadFailure, now: Date): void {
    this.move('failed', now);
    this.recordFailure(failure, now);
  }

  /** Puts a failed upload back to `pending` with a fresh retry budget. */
  replay(now: Date): void {
    this.move('pending', now);
    this.props.retryCount = 0;
    this.props.lastError = null;
    this.props.firstFailedAt = null;
    this.props.nextAttemptAt = null;
  }

  /** Marks the current state as stored; called by repositories after a successful write. */
  markStored(): void {
    this.storedVersion = this.props.version;
  }

  private recordFailure(failure: UploadFailure, now: Date): void {
    this.props.lastError = {
      code: failure.code,
      failureClass: failure.failureClass,
      message: failure.message,
    };
    this.props.firstFailedAt ??= now;
    this.props.leaseExpiresAt = null;
  }

  private move(to: UploadStatus, now: Date): void {
    if (!canTransition(this.props.status, to)) this.reject(to);
    this.props.status = to;
    this.props.updatedAt = now;
    this.props.version += 1;
  }

  private reject(to: UploadStatus): never {
    throw new IllegalTransitionError(this.props.id, this.props.status, to);
  }
}
