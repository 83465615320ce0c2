import { Hono } from 'hono';
import { etag } from 'hono/etag';
import type { AppEnv } from '../http/app-env.ts';
import { ApiError, echo } from '../http/errors.ts';
import { DASHBOARD_ASSETS } from './assets/index.ts';
import { DASHBOARD_ASSETS_PATH, renderDashboardPage } from './dashboard-page.ts';

/**
 * Policy of the page: scripts, styles, images and API calls from this origin only, so no
 * inline script runs and nothing loads from another host. Downloads open in a new tab, which
 * this policy does not govern.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Routes of the dashboard: the page at `/` and its assets. They are public, because the key
 * lives in the browser; the counters come from `GET /api/v1/stats`.
 */
export function dashboardRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/', (c) => {
    c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    c.header('Cache-Control', 'no-cache');
    return c.html(renderDashboardPage());
  });

  app.use(`${DASHBOARD_ASSETS_PATH}/*`, etag());
  app.get(`${DASHBOARD_ASSETS_PATH}/:name`, (c) => {
    const name = c.req.param('name');
    const asset = DASHBOARD_ASSETS.get(name);
    if (!asset) throw new ApiError(404, 'NOT_FOUND', `no dashboard asset named "${echo(name)}"`);
    // no-cache lets the browser keep a copy but check its ETag, so a deploy takes effect at once.
    c.header('Cache-Control', 'no-cache');
    return c.body(asset.body, 200, { 'Content-Type': asset.contentType });
  });

  return app;
}
