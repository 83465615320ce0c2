import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Hono } from 'hono';
import type { AppEnv } from '../http/app-env.ts';
import { ApiError, echo } from '../http/errors.ts';

/** Path under which the docs page loads its scripts and styles. */
export const DOCS_ASSETS_PATH = '/api/v1/docs/assets';

// Only these files of the swagger-ui-dist package are served, so no request can name another.
const PACKAGE_ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};

// The page must work on machines without internet access, so it loads nothing from other
// origins. Swagger UI would send the document to validator.swagger.io unless validatorUrl is null.
const INIT_SCRIPT = `window.ui = SwaggerUIBundle({
  url: '/api/v1/openapi.json',
  dom_id: '#docs',
  deepLinking: true,
  validatorUrl: null,
});
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>FileFlow API</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${DOCS_ASSETS_PATH}/swagger-ui.css">
</head>
<body>
<div id="docs"></div>
<script src="${DOCS_ASSETS_PATH}/swagger-ui-bundle.js"></script>
<script src="${DOCS_ASSETS_PATH}/docs-init.js"></script>
</body>
</html>
`;

// Swagger UI sets inline style attributes and uses data: images, so those two are allowed.
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Routes of the docs page, a self-hosted Swagger UI that reads /api/v1/openapi.json. */
export function docsRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const assets = new PackageAssets();

  app.get('/docs', (c) => {
    c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    c.header('Cache-Control', 'no-cache');
    return c.html(PAGE);
  });

  app.get('/docs/assets/:name', async (c) => {
    const name = c.req.param('name');
    c.header('Cache-Control', 'public, max-age=3600');
    if (name === 'docs-init.js') {
      return c.body(INIT_SCRIPT, 200, { 'Content-Type': 'text/javascript; charset=utf-8' });
    }
    const contentType = PACKAGE_ASSETS[name];
    if (!contentType) throw new ApiError(404, 'NOT_FOUND', `no docs asset named "${echo(name)}"`);
    return c.body(await assets.read(name), 200, { 'Content-Type': contentType });
  });

  return app;
}

/** Files of the swagger-ui-dist package, read on first use and kept in memory. */
class PackageAssets {
  private readonly directory = dirname(
    createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'),
  );
  private readonly cache = new Map<string, Promise<Uint8Array<ArrayBuffer>>>();

  read(name: string): Promise<Uint8Array<ArrayBuffer>> {
    let bytes = this.cache.get(name);
    if (!bytes) {
      bytes = readFile(join(this.directory, name)).then((buffer) => new Uint8Array(buffer));
      // A failed read is not cached, so a later request tries again.
      bytes.catch(() => this.cache.delete(name));
      this.cache.set(name, bytes);
    }
    return bytes;
  }
}
