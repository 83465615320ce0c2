import { RequestUpload, type Clock, type FileRepository, type IdGenerator } from '@fileflow/domain';
import { Hono } from 'hono';
import type { AppEnv } from '../http/app-env.ts';
import { ApiError } from '../http/errors.ts';
import type { IdempotencyStore } from '../idempotency/idempotency-store.ts';
import { RequestUploadOnce } from '../idempotency/request-upload-once.ts';
import { requestUploadRoutes } from './upload-routes.ts';

/** Prefix of the benchmark routes. */
export const BENCH_PATH = '/api/v1/bench';

const noIo = (operation: string) => () =>
  Promise.reject(new Error(`${operation} is not available on the benchmark route`));

/** Repository that stores nothing: `add` only marks the upload stored. */
const noIoFiles: FileRepository = {
  add: async (upload) => upload.markStored(),
  update: noIo('update'),
  extendLease: noIo('extendLease'),
  findById: noIo('findById'),
  list: noIo('list'),
  findExpiredLeases: noIo('findExpiredLeases'),
  countByStatus: noIo('countByStatus'),
};

const noIdempotencyKeys: IdempotencyStore = {
  find: () => {
    throw new ApiError(
      400,
      'IDEMPOTENCY_NOT_SUPPORTED',
      'the benchmark route stores nothing, so it takes no Idempotency-Key: remove the header',
      'Idempotency-Key',
    );
  },
  addUpload: noIo('addUpload'),
};

/**
 * Builds `POST /api/v1/bench/upload`: the upload route with the same middleware, body checks
 * and zod schemas, on a repository that stores nothing, so it returns 202 with no I/O. The
 * app mounts it without the API key check, because that reads the database, and only when
 * FILEFLOW_BENCH_ROUTES=1. It is the ceiling the benchmarks compare the real route against,
 * and it is left out of the OpenAPI document.
 */
export function benchRoutes(ids: IdGenerator, clock: Clock): Hono<AppEnv> {
  // A plain Hono router keeps the route out of the parent's OpenAPI registry.
  return new Hono<AppEnv>().route(
    '/',
    requestUploadRoutes({
      requestUpload: new RequestUpload(noIoFiles, ids, clock),
      requestUploadOnce: new RequestUploadOnce(noIdempotencyKeys, ids, clock),
    }),
  );
}
