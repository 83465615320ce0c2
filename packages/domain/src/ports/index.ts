import type { FailureClass, FailureCode } from '../errors/upload-failure.ts';
import type { FileUpload, StoredObject } from '../upload/file-upload.ts';
import type { UploadStatus } from '../upload/upload-status.ts';

/** Source of the current time. */
export interface Clock {
  now(): Date;
}

/** Source of new upload ids. */
export interface IdGenerator {
  next(): string;
}

/** Cancellation signal; the standard AbortSignal satisfies it. */
export interface CancellationSignal {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** Runs a callback repeatedly; the returned function stops it. */
export interface Ticker {
  every(intervalMs: number, callback: () => void): () => void;
}

/** Source of random numbers in [0, 1), used for retry jitter. */
export type RandomSource = () => number;

/** Position a queue message was read from, forwarded to its dead-letter message. */
export interface DeliveryOrigin {
  topic: string;
  partition: number;
  offset: string;
}

/** A message asking for an attempt of an upload. */
export interface UploadJob {
  uploadId: string;
  /** Attempt number this message requests, starting at 1. */
  attempt: number;
}

/** Queue a dispatch is published to. */
export type DispatchQueue = 'main' | 'retry' | 'dead-letter';

/** A message written with an upload's state change and published after the change is stored. */
export interface UploadDispatch {
  queue: DispatchQueue;
  upload: Pick<ReturnType<FileUpload['snapshot']>, 'id' | 'fileUrl' | 'bucketName' | 'objectName'>;
  attempt: number;
  /** When the attempt becomes due; absent means at once. */
  dueAt?: Date;
  firstFailedAt?: Date;
  failure?: { code: FailureCode; failureClass: FailureClass; message: string };
  origin?: DeliveryOrigin;
}

/** Result of a conditional write. */
export type WriteResult = 'stored' | 'conflict';

/** Filter and page of an upload listing, newest first. */
export interface UploadQuery {
  status?: UploadStatus;
  bucketName?: string;
  ownerId?: string;
  /** Opaque position returned by a previous page. */
  cursor?: string;
  limit: number;
}

/** One page of uploads and the cursor of the next page, if any. */
export interface UploadPage {
  items: FileUpload[];
  nextCursor: string | null;
}

/**
 * Store of uploads. Every write of a state change is conditional on the version the upload was
 * read with, and stores its dispatches in the same transaction, so a message is published if
 * and only if its state change was stored.
 */
export interface FileRepository {
  /** Inserts a new upload together with its dispatches. */
  add(upload: FileUpload, dispatches: UploadDispatch[]): Promise<void>;
  /** Stores the upload's new state unless another writer changed it first. */
  update(upload: FileUpload, dispatches?: UploadDispatch[]): Promise<WriteResult>;
  /** Stores a new lease end of a running attempt, conditional on the version like `update`. */
  extendLease(upload: FileUpload): Promise<WriteResult>;
  findById(id: string): Promise<FileUpload | null>;
  list(query: UploadQuery): Promise<UploadPage>;
  /** Finds uploads left in `processing` whose lease expired before `now`. */
  findExpiredLeases(now: Date, limit: number): Promise<FileUpload[]>;
  /** Counts uploads by status, for dashboards. */
  countByStatus(ownerId?: string): Promise<Record<UploadStatus, number>>;
}

/** Publishes dispatches to the message broker. */
export interface UploadQueue {
  publish(dispatches: UploadDispatch[]): Promise<void>;
}

/** A body read from a remote source. */
export interface RemoteFile {
  body: AsyncIterable<Uint8Array>;
  /** Length the source declared, if any. */
  declaredSize: number | null;
  /** Media type the source declared, if valid. */
  contentType: string | null;
}

/** Opens remote files for reading. Raises UploadFailure for every failure. */
export interface RemoteFileSource {
  open(url: string, signal: CancellationSignal): Promise<RemoteFile>;
}

/** Target of an object write and the file its bytes are read from. */
export interface ObjectWrite {
  bucketName: string;
  objectName: string;
  file: RemoteFile;
  signal: CancellationSignal;
}

/**
 * Object storage. `put` stores the object whole or not at all and raises UploadFailure on
 * failure; writing the same key twice leaves one object.
 */
export interface ObjectStorage {
  put(write: ObjectWrite): Promise<StoredObject>;
  /** Makes a time-limited GET URL for a stored object. */
  presignGet(bucketName: string, objectName: string): Promise<string>;
}
