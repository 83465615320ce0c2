import { healthRoutes, type DependencyCheck, type Logger, type Metrics } from '@fileflow/adapters';
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import { requestId } from 'hono/request-id';
import { routePath } from 'hono/route';
import { secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from './http/app-env.ts';
import { ApiError, errorBody, handleError } from './http/errors.ts';
import { uploadRoutes, type UploadRouteDeps } from './routes/upload-routes.ts';

/** Everything the API app needs from outside. */
export interface AppDeps extends UploadRouteDeps {
  logger: Logger;
  metrics: Metrics;
  readiness: DependencyCheck[];
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
}

/** Builds the API: upload routes under /api/v1, health, metrics and the OpenAPI document. */
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
  app.use('/api/*', requireJsonBody, bodyLimit({ maxSize: deps.maxBodyBytes, onError: tooLarge(deps.maxBodyBytes) }));

  app.route('/api/v1', uploadRoutes(deps));
  app.route('/', healthRoutes(deps.readiness, {
    contentType: deps.metrics.registry.contentType,
    render: () => deps.metrics.render(),
  }));
  app.doc31('/api/v1/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'FileFlow API', version: '1.0.0', description: 'Upload files from URLs into S3-compatible storage' },
  });

  app.notFound((c) => c.json(errorBody('NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`), 404));
  app.onError(handleError);
  return app;
}

const requireJsonBody = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.method === 'POST' && c.req.path.endsWith('/upload')) {
    const type = c.req.header('content-type') ?? '';
    if (!/^application\/json\s*(;|$)/i.test(type)) {
      throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', `content type "${type || 'none'}" is not supported: send application/json`);
    }
  }
  await next();
});

function tooLarge(maxBytes: number) {
  return (): never => {
    throw new ApiError(413, 'BODY_TOO_LARGE', `request body exceeds ${maxBytes} bytes: send a smaller JSON object`);
  };
}

function accessLog(metrics: Metrics) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1_000;
    const route = routePath(c) || 'unmatched';
    metrics.httpRequests.observe({ method: c.req.method, route, status: String(c.res.status) }, seconds);
    if (route.startsWith('/healthz') || route.startsWith('/readyz') || route.startsWith('/metrics')) return;
    c.var.logger.info(
      { method: c.req.method, path: c.req.path, status: c.res.status, durationMs: Math.round(seconds * 1_000) },
      'request handled',
    );
  });
}
