import { Metrics, createLogger } from '@fileflow/adapters';
import {
  FileUpload,
  GetUpload,
  ListUploads,
  ReplayUpload,
  RequestUpload,
  UPLOAD_STATUSES,
  type FileRepository,
  type ObjectStorage,
  type UploadDispatch,
  type UploadPage,
  type UploadQuery,
  type UploadStatus,
  type WriteResult,
} from '@fileflow/domain';
import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { createApp } from '../app.ts';
import type { AppEnv } from '../http/app-env.ts';
import type {
  IdempotencyEntry,
  IdempotencyStore,
  KeyedAddResult,
  StoredResponse,
} from '../idempotency/idempotency-store.ts';
import { RequestUploadOnce } from '../idempotency/request-upload-once.ts';

/** Repository kept in memory that records every call, so tests see whether input reached it. */
export class RecordingFileRepository implements FileRepository {
  readonly calls: string[] = [];
  readonly rows = new Map<string, FileUpload>();
  readonly dispatched: UploadDispatch[] = [];
  readonly queries: UploadQuery[] = [];

  async add(upload: FileUpload, dispatches: UploadDispatch[]): Promise<void> {
    this.calls.push('add');
    this.store(upload, dispatches);
  }

  /** Stores an upload as `add` does, without recording a call. */
  store(upload: FileUpload, dispatches: UploadDispatch[]): void {
    this.rows.set(upload.id, upload);
    this.dispatched.push(...dispatches);
    upload.markStored();
  }

  async update(upload: FileUpload, dispatches: UploadDispatch[] = []): Promise<WriteResult> {
    this.calls.push('update');
    this.store(upload, dispatches);
    return 'stored';
  }

  async extendLease(upload: FileUpload): Promise<WriteResult> {
    this.calls.push('extendLease');
    this.store(upload, []);
    return 'stored';
  }

  async findById(id: string): Promise<FileUpload | null> {
    this.calls.push('findById');
    const upload = this.rows.get(id);
    return upload ? FileUpload.restore({ ...upload.snapshot() }) : null;
  }

  async list(query: UploadQuery): Promise<UploadPage> {
    this.calls.push('list');
    this.queries.push(query);
    const items = [...this.rows.values()]
      .filter((upload) => !query.status || upload.status === query.status)
      .filter((upload) => !query.bucketName || upload.snapshot().bucketName === query.bucketName)
      .slice(0, query.limit);
    return { items, nextCursor: null };
  }

  async findExpiredLeases(): Promise<FileUpload[]> {
    this.calls.push('findExpiredLeases');
    return [];
  }

  async countByStatus(): Promise<Record<UploadStatus, number>> {
    this.calls.push('countByStatus');
    return Object.fromEntries(UPLOAD_STATUSES.map((s) => [s, 0])) as Record<UploadStatus, number>;
  }
}

/** Idempotency store kept in memory that stores new uploads in the given repository. */
export class InMemoryIdempotencyStore implements IdempotencyStore {
  readonly entries = new Map<string, StoredResponse>();

  constructor(private readonly files: RecordingFileRepository) {}

  async find(ownerId: string, key: string): Promise<StoredResponse | null> {
    return this.entries.get(`${ownerId}\n${key}`) ?? null;
  }

  async addUpload(
    upload: FileUpload,
    dispatches: UploadDispatch[],
    entry: IdempotencyEntry,
  ): Promise<KeyedAddResult> {
    const existing = await this.find(entry.ownerId, entry.key);
    if (existing) return { outcome: 'key-taken', existing };
    const { requestHash, status, body } = entry;
    this.entries.set(`${entry.ownerId}\n${entry.key}`, {
      requestHash,
      uploadId: upload.id,
      status,
      body,
    });
    this.files.calls.push('addUpload');
    this.files.store(upload, dispatches);
    return { outcome: 'stored' };
  }
}

/** Storage that stores nothing and presigns URLs of a fake host. */
export const fakeStorage: ObjectStorage = {
  put: () => Promise.reject(new Error('the API never stores objects')),
  presignGet: async (bucket, key) =>
    `https://storage.test/${bucket}/${encodeURIComponent(key)}?X-Amz-Signature=x`,
};

/** Options of the test apps. */
export interface TestAppOptions {
  maxBodyBytes?: number;
  /** Authentication; by default every request goes through, since it is tested on its own. */
  auth?: MiddlewareHandler<AppEnv>;
  /** Serves the benchmark route, as FILEFLOW_BENCH_ROUTES=1 does. */
  bench?: boolean;
}

/** Builds the API on the given repository and idempotency store, with silent logs and fake storage. */
export function createTestApp(files: FileRepository, idempotency: IdempotencyStore, options: TestAppOptions = {}) {
  const clock = { now: () => new Date() };
  const ids = { next: randomUUID };
  return createApp({
    logger: createLogger('api-test', 'silent'),
    metrics: new Metrics('api'),
    readiness: [],
    auth: options.auth ?? (async (_c, next) => next()),
    maxBodyBytes: options.maxBodyBytes ?? 16 * 1024,
    requestUpload: new RequestUpload(files, ids, clock),
    requestUploadOnce: new RequestUploadOnce(idempotency, ids, clock),
    getUpload: new GetUpload(files, fakeStorage),
    listUploads: new ListUploads(files),
    replayUpload: new ReplayUpload(files, clock),
    ...(options.bench ? { bench: { ids, clock } } : {}),
  });
}

/** Builds the API on in-memory stand-ins. `files.calls` lists what reached the repository. */
export function buildTestApp(options: TestAppOptions = {}) {
  const files = new RecordingFileRepository();
  const idempotency = new InMemoryIdempotencyStore(files);
  return { app: createTestApp(files, idempotency, options), files, idempotency };
}

/** A valid upload request body. */
export const validBody = {
  file_url: 'https://example.com/photos/cat.jpg',
  bucket_name: 'photos',
  object_name: 'cats/cat 1.jpg',
};

/** Posts `body` to /api/v1/upload: strings and bytes as they are, anything else as JSON. */
export function postUpload(
  app: ReturnType<typeof createApp>,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return Promise.resolve(
    app.request('/api/v1/upload', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
    }),
  );
}
