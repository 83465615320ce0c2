import { bucketAllowed } from '@fileflow/adapters';
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type {
  GetUpload,
  ListUploads,
  ReplayUpload,
  RequestUpload,
  UploadRequest,
} from '@fileflow/domain';
import type { KeyedUploadResponse, RequestUploadOnce } from '../idempotency/request-upload-once.ts';
import { acceptedBody, statusPath, type AcceptedBody } from '../http/accepted-response.ts';
import type { AppEnv } from '../http/app-env.ts';
import { apiRouter, errorContent, serverErrors } from '../http/api-router.ts';
import { ApiError } from '../http/errors.ts';
import { jsonBody } from '../http/json-body.ts';
import { toUploadView } from '../http/upload-view.ts';
import {
  listQuerySchema,
  uploadAcceptedSchema,
  uploadHeadersSchema,
  uploadIdParamSchema,
  uploadPageSchema,
  uploadRequestSchema,
  uploadViewSchema,
} from '../http/upload-schemas.ts';

/** Use cases the upload routes call. */
export interface UploadRouteDeps {
  requestUpload: RequestUpload;
  /** Handles upload requests that carry an `Idempotency-Key`. */
  requestUploadOnce: RequestUploadOnce;
  getUpload: GetUpload;
  listUploads: ListUploads;
  replayUpload: ReplayUpload;
  /** Called after a new upload was accepted, for metrics, but not for replayed responses. */
  onAccepted?: () => void;
}

const requestRoute = createRoute({
  method: 'post',
  path: '/upload',
  tags: ['uploads'],
  summary: 'Request an upload of a file from a URL',
  middleware: [jsonBody] as const,
  request: {
    headers: uploadHeadersSchema,
    body: { required: true, content: { 'application/json': { schema: uploadRequestSchema } } },
  },
  responses: {
    202: {
      description:
        'Upload accepted; follow `status_url` or the Location header. A repeated request with ' +
        'the same Idempotency-Key returns the first response and the header Idempotent-Replayed.',
      headers: z.object({
        Location: z.string().openapi({ description: 'Path of the status route' }),
        'Idempotent-Replayed': z
          .literal('true')
          .optional()
          .openapi({ description: 'Present when the response is that of an earlier request' }),
      }),
      content: { 'application/json': { schema: uploadAcceptedSchema } },
    },
    400: errorContent('Invalid body, JSON, UTF-8 or Idempotency-Key'),
    403: errorContent('The API key may not write to this bucket'),
    413: errorContent('Body too large'),
    415: errorContent('Content type is not application/json with UTF-8'),
    422: errorContent('Idempotency-Key already used with a different body'),
    ...serverErrors,
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/files/{id}',
  tags: ['uploads'],
  summary: 'Read an upload, with a presigned download URL once completed',
  request: { params: uploadIdParamSchema },
  responses: {
    200: {
      description: 'The upload',
      content: { 'application/json': { schema: uploadViewSchema } },
    },
    400: errorContent('Invalid id'),
    404: errorContent('No such upload'),
    ...serverErrors,
  },
});

const listRoute = createRoute({
  method: 'get',
  path: '/files',
  tags: ['uploads'],
  summary: 'List uploads, newest first',
  request: { query: listQuerySchema },
  responses: {
    200: {
      description: 'A page of uploads',
      content: { 'application/json': { schema: uploadPageSchema } },
    },
    400: errorContent('Invalid filter, page size or cursor'),
    ...serverErrors,
  },
});

const replayRoute = createRoute({
  method: 'post',
  path: '/files/{id}/retry',
  tags: ['uploads'],
  summary: 'Replay a failed upload from attempt 1',
  request: { params: uploadIdParamSchema },
  responses: {
    202: {
      description: 'Upload queued again',
      content: { 'application/json': { schema: uploadViewSchema } },
    },
    400: errorContent('Invalid id'),
    404: errorContent('No such upload'),
    409: errorContent('The upload is not failed'),
    ...serverErrors,
  },
});

/** Use cases the upload request route calls. */
export type RequestRouteDeps = Pick<UploadRouteDeps, 'requestUpload' | 'requestUploadOnce' | 'onAccepted'>;

/** Builds the route POST /upload alone, which the benchmark route serves too. */
export function requestUploadRoutes(deps: RequestRouteDeps): OpenAPIHono<AppEnv> {
  const app = apiRouter();
  app.openapi(requestRoute, async (c) => {
    const body = c.req.valid('json');
    const principal = c.var.principal;
    if (principal && !bucketAllowed(principal.allowedBuckets, body.bucket_name)) {
      const message = `this API key may not write to bucket "${body.bucket_name}": use a bucket its scope allows`;
      throw new ApiError(403, 'BUCKET_NOT_ALLOWED', message, 'bucket_name');
    }
    const request = {
      fileUrl: body.file_url,
      bucketName: body.bucket_name,
      objectName: body.object_name,
      ownerId: c.var.ownerId,
    };
    const response = await accept(deps, request, c.req.valid('header')['Idempotency-Key']);
    const message = response.replayed ? 'upload request replayed' : 'upload accepted';
    c.set('uploadId', response.uploadId);
    c.var.logger.info({ uploadId: response.uploadId, bucketName: body.bucket_name }, message);
    const headers = {
      Location: statusPath(response.uploadId),
      ...(response.replayed ? { 'Idempotent-Replayed': 'true' } : {}),
    };
    // A stored response is always the 202 this route sent first for the key.
    return c.json(response.body as AcceptedBody, response.status as 202, headers);
  });
  return app;
}

/** Routes under /api/v1 for requesting, reading, listing and replaying uploads. */
export function uploadRoutes(deps: UploadRouteDeps): OpenAPIHono<AppEnv> {
  const app = apiRouter();
  app.route('/', requestUploadRoutes(deps));

  app.openapi(getRoute, async (c) => {
    c.set('uploadId', c.req.valid('param').id);
    const view = await deps.getUpload.execute(c.req.valid('param').id, c.var.ownerId ?? undefined);
    return c.json(toUploadView(view), 200);
  });

  app.openapi(listRoute, async (c) => {
    const query = c.req.valid('query');
    // An empty cursor means the first page, as when the parameter is absent.
    const page = await deps.listUploads.execute({
      status: query.status,
      bucketName: query.bucket,
      cursor: query.cursor,
      limit: query.limit,
      ...(c.var.ownerId ? { ownerId: c.var.ownerId } : {}),
    });
    const items = page.items.map((upload) => toUploadView({ upload, downloadUrl: null }));
    return c.json({ items, next_cursor: page.nextCursor }, 200);
  });

  app.openapi(replayRoute, async (c) => {
    const id = c.req.valid('param').id;
    c.set('uploadId', id);
    const upload = await deps.replayUpload.execute(id, c.var.ownerId ?? undefined);
    c.var.logger.info({ uploadId: id }, 'upload replayed');
    return c.json(toUploadView({ upload, downloadUrl: null }), 202);
  });

  return app;
}

/** Records the upload, or returns the stored response when `key` was sent before. */
async function accept(
  deps: RequestRouteDeps,
  request: UploadRequest,
  key: string | undefined,
): Promise<KeyedUploadResponse> {
  if (key !== undefined) {
    const response = await deps.requestUploadOnce.execute(request, key);
    if (!response.replayed) deps.onAccepted?.();
    return response;
  }
  const upload = await deps.requestUpload.execute(request);
  deps.onAccepted?.();
  return { status: 202, body: acceptedBody(upload.id), uploadId: upload.id, replayed: false };
}
