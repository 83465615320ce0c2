// The API's own app, built by apps/api's createApp with its middleware, body checks and zod
// schemas, on a repository that stores nothing, so POST /api/v1/upload returns 202 with no
// I/O but the log lines. Authentication lets every request through, because checking a key
// reads the database. It listens on 127.0.0.1 and prints {"port": N} once it listens.
import { Metrics, createLogger } from '@fileflow/adapters';
import {
  GetUpload,
  ListUploads,
  ReplayUpload,
  RequestUpload,
  type FileRepository,
  type FileUpload,
  type ObjectStorage,
} from '@fileflow/domain';
import { serve } from '@hono/node-server';
import type { MiddlewareHandler } from 'hono';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../apps/api/src/app.ts';
import type { IdempotencyStore } from '../../apps/api/src/idempotency/idempotency-store.ts';
import { RequestUploadOnce } from '../../apps/api/src/idempotency/request-upload-once.ts';

const notSupported = (operation: string) => () =>
  Promise.reject(new Error(`${operation} is not supported by the ceiling server`));

/** Repository that stores nothing: `add` only marks the upload stored. */
const noIoFiles: FileRepository = {
  add: async (upload: FileUpload) => upload.markStored(),
  update: notSupported('update'),
  extendLease: notSupported('extendLease'),
  findById: notSupported('findById'),
  list: notSupported('list'),
  findExpiredLeases: notSupported('findExpiredLeases'),
  countByStatus: notSupported('countByStatus'),
};

const noIdempotencyKeys: IdempotencyStore = {
  find: notSupported('Idempotency-Key'),
  addUpload: notSupported('Idempotency-Key'),
};

const noStorage: ObjectStorage = {
  put: notSupported('put'),
  presignGet: notSupported('presignGet'),
};

const letEveryRequestThrough: MiddlewareHandler = async (_c, next) => next();

const clock = { now: () => new Date() };
const ids = { next: randomUUID };
const metrics = new Metrics('api');
const app = createApp({
  logger: createLogger('api', process.env.LOG_LEVEL ?? 'info'),
  metrics,
  readiness: [],
  auth: letEveryRequestThrough,
  maxBodyBytes: 16 * 1024,
  requestUpload: new RequestUpload(noIoFiles, ids, clock),
  requestUploadOnce: new RequestUploadOnce(noIdempotencyKeys, ids, clock),
  getUpload: new GetUpload(noIoFiles, noStorage),
  listUploads: new ListUploads(noIoFiles),
  replayUpload: new ReplayUpload(noIoFiles, clock),
  onAccepted: () => metrics.uploadsAccepted.inc(),
});

const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
  console.log(JSON.stringify({ port: info.port })),
);

process.once('SIGTERM', () => server.close(() => process.exit(0)));
