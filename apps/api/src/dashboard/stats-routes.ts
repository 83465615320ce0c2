import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { UPLOAD_STATUSES, type ListUploads, type UploadStatus } from '@fileflow/domain';
import { apiRouter, errorContent, serverErrors } from '../http/api-router.ts';
import type { AppEnv } from '../http/app-env.ts';

/** Use case the stats route calls. */
export interface StatsRouteDeps {
  listUploads: ListUploads;
}

const countsSchema = z
  .object(
    Object.fromEntries(UPLOAD_STATUSES.map((status) => [status, z.number().int().min(0)])) as Record<
      UploadStatus,
      z.ZodNumber
    >,
  )
  .openapi('UploadCounts');

const statsRoute = createRoute({
  method: 'get',
  path: '/stats',
  tags: ['uploads'],
  summary: "Count the caller's uploads by status",
  request: { query: z.strictObject({}) },
  responses: {
    200: {
      description: 'Uploads by status: those of the API key, or all of them for a request without an owner',
      headers: z.object({ 'Cache-Control': z.literal('no-store') }),
      content: { 'application/json': { schema: z.object({ counts: countsSchema }) } },
    },
    400: errorContent('A query parameter; this route takes none'),
    ...serverErrors,
  },
});

/**
 * Route `GET /stats`, mounted under /api/v1: the caller's uploads counted by status, for the
 * dashboard's counters. It sits behind the same API key check as the other /api/v1 routes and
 * counts only the uploads of the request's owner, or every upload when the request has none.
 */
export function statsRoutes(deps: StatsRouteDeps): OpenAPIHono<AppEnv> {
  const app = apiRouter();
  app.openapi(statsRoute, async (c) => {
    const counts = await deps.listUploads.countByStatus(c.var.ownerId ?? undefined);
    return c.json({ counts }, 200, { 'Cache-Control': 'no-store' });
  });
  return app;
}
