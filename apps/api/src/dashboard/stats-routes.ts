import type { ListUploads } from '@fileflow/domain';
import { Hono } from 'hono';
import type { AppEnv } from '../http/app-env.ts';
import { ApiError, echo } from '../http/errors.ts';

/** Use case the stats route calls. */
export interface StatsRouteDeps {
  listUploads: ListUploads;
}

/**
 * Route `GET /stats`, mounted under /api/v1: the caller's uploads counted by status. It sits
 * behind the same API key check as the other /api/v1 routes and counts only the uploads of
 * the request's owner, or every upload when the request has none.
 */
export function statsRoutes(deps: StatsRouteDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/stats', async (c) => {
    const unknown = Object.keys(c.req.queries())[0];
    if (unknown !== undefined) {
      const name = echo(unknown);
      throw new ApiError(400, 'UNKNOWN_FIELD', `unknown field "${name}" in query: remove it`, name);
    }
    const counts = await deps.listUploads.countByStatus(c.var.ownerId ?? undefined);
    c.header('Cache-Control', 'no-store');
    return c.json({ counts }, 200);
  });

  return app;
}
