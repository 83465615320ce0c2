import type {
  Clock,
  FileRepository,
  ObjectStorage,
  ObjectWrite,
  RemoteFile,
  RemoteFileSource,
  UploadDispatch,
  UploadPage,
  UploadQuery,
  WriteResult,
} from '../ports/index.ts';
import { FileUpload, type StoredObject } from '../upload/file-upload.ts';
import { UPLOAD_STATUSES, type UploadStatus } from '../upload/upload-status.ts';

/** Clock that moves only when `advance` is called. */
export class ManualClock implements Clock {
  constructor(private current = new Date('2026-01-01T00:00:00Z')) {}

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/** Repository kept in memory, with the same conditional-write rules as the real one. */
export class InMemoryFileRepository implements FileRepository {
  readonly rows = new Map<string, ReturnType<FileUpload['snapshot']>>();
  readonly dispatched: UploadDispatch[] = [];

  async add(upload: FileUpload, dispatches: UploadDispatch[]): Promise<void> {
    if (this.rows.has(upload.id)) throw new Error(`duplicate id ${upload.id}`);
    this.rows.set(upload.id, upload.snapshot());
    this.dispatched.push(...dispatches);
    upload.markStored();
  }

  async update(upload: FileUpload, dispatches: UploadDispatch[] = []): Promise<WriteResult> {
    const row = this.rows.get(upload.id);
    if (!row || row.version !== upload.storedVersionNumber) return 'conflict';
    this.rows.set(upload.id, upload.snapshot());
    this.dispatched.push(...dispatches);
    upload.markStored();
    return 'stored';
  }

  async extendLease(upload: FileUpload): Promise<WriteResult> {
    const row = this.rows.get(upload.id);
    if (!row || row.version !== upload.storedVersionNumber || row.status !== 'processing') return 'conflict';
    this.rows.set(upload.id, { ...row, leaseExpiresAt: upload.snapshot().leaseExpiresAt });
    return 'stored';
  }

  async findById(id: string): Promise<FileUpload | null> {
    const row = this.rows.get(id);
    return row ? FileUpload.restore(row) : null;
  }

  async list(query: UploadQuery): Promise<UploadPage> {
    const items = [...this.rows.values()]
      .filter((row) => !query.status || row.status === query.status)
      .slice(0, query.limit)
      .map((row) => FileUpload.restore(row));
    return { items, nextCursor: null };
  }

  async findExpiredLeases(now: Date, limit: number): Promise<FileUpload[]> {
    return [...this.rows.values()]
      .filter((row) => row.status === 'processing' && row.leaseExpiresAt! <= now)
      .slice(0, limit)
      .map((row) => FileUpload.restore(row));
  }

  async countByStatus(): Promise<Record<UploadStatus, number>> {
    const counts = Object.fromEntries(UPLOAD_STATUSES.map((s) => [s, 0])) as Record<UploadStatus, number>;
    for (const row of this.rows.values()) counts[row.status] += 1;
    return counts;
  }
}

/** Source that plays a script of results, one per call; the last one repeats. */
export class ScriptedSource implements RemoteFileSource {
  calls = 0;

  constructor(private readonly script: Array<Error | string>) {}

  async open(): Promise<RemoteFile> {
    const step = this.script[Math.min(this.calls, this.script.length - 1)];
    this.calls += 1;
    if (step instanceof Error) throw step;
    const bytes = new TextEncoder().encode(step);
    return { body: toAsync(bytes), declaredSize: bytes.length, contentType: 'text/plain' };
  }
}

/** Storage that keeps objects in memory. */
export class InMemoryStorage implements ObjectStorage {
  readonly objects = new Map<string, Uint8Array>();
  failWith: Error | null = null;

  async put(write: ObjectWrite): Promise<StoredObject> {
    if (this.failWith) throw this.failWith;
    const chunks: Uint8Array[] = [];
    for await (const chunk of write.file.body) chunks.push(chunk);
    const size = chunks.reduce((total, chunk) => total + chunk.length, 0);
    this.objects.set(`${write.bucketName}/${write.objectName}`, chunks[0] ?? new Uint8Array());
    return { etag: `etag-${size}`, size, sha256: 'fake-sha', contentType: 'text/plain' };
  }

  async presignGet(bucketName: string, objectName: string): Promise<string> {
    return `https://storage.test/${bucketName}/${objectName}?signed`;
  }
}

/** Returns ids `upload-1`, `upload-2`, and so on. */
export function sequentialIds(): { next(): string } {
  let count = 0;
  return { next: () => `upload-${++count}` };
}

async function* toAsync(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

/** Ticker that runs its callbacks only when `tick` is called. */
export class ManualTicker {
  private readonly callbacks = new Set<() => void>();

  every(_intervalMs: number, callback: () => void): () => void {
    this.callbacks.add(callback);
    return () => this.callbacks.delete(callback);
  }

  tick(): void {
    for (const callback of this.callbacks) callback();
  }

  get active(): number {
    return this.callbacks.size;
  }
}
