import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { GetUpload, ListUploads, ReplayUpload, RequestUpload } from '@fileflow/domain';
import type { AppEnv } from '../http/app-env.ts';
import { validationError } from '../http/errors.ts';
import { toUploadView } from '../http/upload-view.ts';
import {
  errorSchema,
  listQuerySchema,
  uploadAcceptedSchema,
  uploadIdParamSchema,
  uploadPageSchema,
  uploadRequestSchema,
  uploadViewSchema,
} from '../http/upload-schemas.ts';

/** Use cases the upload routes call. */
export interface UploadRouteDeps {
  requestUpload: RequestUpload;
  getUpload: GetUpload;
  listUploads: ListUploads;
  replayUpload: ReplayUpload;
  /** Called after an upload was accepted, for metrics. */
  onAccepted?: () => void;
}

const ACCEPTED_MESSAGE = 'file upload initiated successfully';
const errorContent = (description: string) => ({
  description,
  content: { 'application/json': { schema: errorSchema } },
});

const requestRoute = createRoute({
  method: 'post',
  path: '/upload',
  summary: 'Request an upload of a file from a URL',
  request: { body: { required: true, content: { 'application/json': { schema: uploadRequestSchema } } } },
  responses: {
    202: {
      description: 'Upload accepted; follow `status_url` or the Location header',
      headers: z.object({ Location: z.string() }),
      content: { 'application/json': { schema: uploadAcceptedSchema } },
    },
    400: errorContent('Invalid body'),
    413: errorContent('Body too large'),
    415: errorContent('Content type is not application/json'),
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/files/{id}',
  summary: 'Read an upload, with a presigned download URL once completed',
  request: { params: uploadIdParamSchema },
  responses: {
    200: { description: 'The upload', content: { 'application/json': { schema: uploadViewSchema } } },
    400: errorContent('Invalid id'),
    404: errorContent('No such upload'),
  },
});

const listRoute = createRoute({
  method: 'get',
  path: '/files',
  summary: 'List uploads, newest first',
  request: { query: listQuerySchema },
  responses: {
    200: { description: 'A page of uploads', content: { 'application/json': { schema: uploadPageSchema } } },
    400: errorContent('Invalid filter or cursor'),
  },
});

const replayRoute = createRoute({
  method: 'post',
  path: '/files/{id}/retry',
  summary: 'Replay a failed upload from attempt 1',
  request: { params: uploadIdParamSchema },
  responses: {
    202: { description: 'Upload queued again', content: { 'application/json': { schema: uploadViewSchema } } },
    404: errorContent('No such upload'),
    409: errorContent('The upload is not failed'),
  },
});

/** Routes under /api/v1 for requesting, reading, listing and replaying uploads. */
export function uploadRoutes(deps: UploadRouteDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) throw validationError(result.error, result.target === 'json' ? 'body' : result.target);
      return undefined;
    },
  });

  app.openapi(requestRoute, async (c) => {
    const body = c.req.valid('json');
    const upload = await deps.requestUpload.execute({
      fileUrl: body.file_url,
      bucketName: body.bucket_name,
      objectName: body.object_name,
      ownerId: c.var.ownerId,
    });
    deps.onAccepted?.();
    c.var.logger.info({ uploadId: upload.id, bucketName: body.bucket_name }, 'upload accepted');
    const statusUrl = `/api/v1/files/${upload.id}`;
    return c.json({ id: upload.id, message: ACCEPTED_MESSAGE, status_url: statusUrl } as const, 202, {
      Location: statusUrl,
    });
  });

  app.openapi(getRoute, async (c) => {
    const view = await deps.getUpload.execute(c.req.valid('param').id, c.var.ownerId ?? undefined);
    return c.json(toUploadView(view), 200);
  });

  app.openapi(listRoute, async (c) => {
    const query = c.req.valid('query');
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
    const upload = await deps.replayUpload.execute(id, c.var.ownerId ?? undefined);
    c.var.logger.info({ uploadId: id }, 'upload replayed');
    return c.json(toUploadView({ upload, downloadUrl: null }), 202);
  });

  return app;
}
