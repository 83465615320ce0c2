import { healthRoutes, type DependencyCheck, type Logger, type Metrics } from '@fileflow/adapters';
import type { Clock, IdGenerator } from '@fileflow/domain';
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import type { MiddlewareHandler } from 'hono';
import { requestId } from 'hono/request-id';
import { routePath } from 'hono/route';
import { secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from './http/app-env.ts';
import { ApiError, handleError } from './http/errors.ts';
import { routeNotFound } from './http/method-not-allowed.ts';
import { dashboardRoutes } from './dashboard/dashboard-routes.ts';
import { statsRoutes } from './dashboard/stats-routes.ts';
import { BENCH_PATH, benchRoutes } from './routes/bench-routes.ts';
import { docsRoutes } from './routes/docs-routes.ts';
import { uploadRoutes, type UploadRouteDeps } from './routes/upload-routes.ts';

/** Path of the OpenAPI document. */
export const OPENAPI_PATH = '/api/v1/openapi.json';

/** Path of the docs page; its assets are below it. */
const DOCS_PATH = '/api/v1/docs';

/** Everything the API app needs from outside. */
export interface AppDeps extends UploadRouteDeps {
  /**
   * Runs before every /api/v1 route but the docs: in production, requireApiKey, which checks
   * the API key and limits each key's request rate.
   */
  auth: MiddlewareHandler<AppEnv>;
  logger: Logger;
  metrics: Metrics;
  readiness: DependencyCheck[];
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
  /** The I/O-free twin of the upload route that benchmarks measure against; off when absent. */
  bench?: { ids: IdGenerator; clock: Clock };
}

/** Builds the API: upload routes under /api/v1, health, metrics, the OpenAPI document and docs. */
export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.use(secureHeaders());
  app.use(requestId());
  app.use(async (c, next) => {
    c.set('logger', deps.logger.child({ requestId: c.var.requestId }));
    c.set('ownerId', null);
    await next();
  });
  app.use(accessLog(deps.metrics));
  app.use(
    '/api/*',
    bodyLimit({ maxSize: deps.maxBodyBytes, onError: tooLarge(deps.maxBodyBytes) }),
  );

  const unauthenticated = deps.bench ? [BENCH_PATH] : [];
  app.use('/api/v1/*', exceptPublicPaths(deps.auth, unauthenticated));
  if (deps.bench) app.route(BENCH_PATH, benchRoutes(deps.bench.ids, deps.bench.clock));
  app.route('/api/v1', uploadRoutes(deps));
  app.route('/api/v1', docsRoutes());
  app.route('/api/v1', statsRoutes(deps));
  app.route('/', dashboardRoutes());
  app.route(
    '/',
    healthRoutes(deps.readiness, {
      contentType: deps.metrics.registry.contentType,
      render: () => deps.metrics.render(),
    }),
  );
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key from "npm run keys -- create", of the form ffk_<id>_<secret>',
  });
  app.doc31(OPENAPI_PATH, {
    openapi: '3.1.0',
    security: [{ bearerAuth: [] }],
    info: {
      title: 'FileFlow API',
      version: '1.0.0',
      description:
        'Upload files from URLs into S3-compatible storage. Every error response has the shape ' +
        '{"error": {"code", "message", "field"?}} with a stable code.',
    },
  });

  app.notFound(routeNotFound(app));
  app.onError(handleError);
  return app;
}

/**
 * Runs `middleware` on every path but the OpenAPI document, the docs page and the paths
 * below `otherPrefixes`.
 */
function exceptPublicPaths(
  middleware: MiddlewareHandler<AppEnv>,
  otherPrefixes: string[],
): MiddlewareHandler<AppEnv> {
  const skipped = [DOCS_PATH, ...otherPrefixes];
  return async (c, next) => {
    const path = c.req.path;
    if (path === OPENAPI_PATH || skipped.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))) {
      return next();
    }
    return middleware(c, next);
  };
}

function tooLarge(maxBytes: number) {
  return (): never => {
    throw new ApiError(
      413,
      'BODY_TOO_LARGE',
      `request body exceeds ${maxBytes} bytes: send a smaller JSON object`,
    );
  };
}

/** Routes polled by probes and scrapers, left out of the access log. */
const PROBE_ROUTES = ['/healthz', '/readyz', '/metrics'];

function accessLog(metrics: Metrics) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1_000;
    const route = routePath(c) || 'unmatched';
    metrics.httpRequests.observe(
      { method: c.req.method, route, status: String(c.res.status) },
      seconds,
    );
    if (PROBE_ROUTES.some((probe) => route.startsWith(probe))) return;
    c.var.logger.info(
      {
        method: c.req.method,
        path: c.req.path,
        uploadId: c.var.uploadId,
        status: c.res.status,
        durationMs: Math.round(seconds * 1_000),
      },
      'request handled',
    );
  });
}
