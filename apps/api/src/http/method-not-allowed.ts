import type { Context, Hono } from 'hono';
import type { AppEnv } from './app-env.ts';
import { echo, errorBody } from './errors.ts';

/**
 * Builds the handler of requests no route matched: 405 with an Allow header when the path exists
 * for other methods, else 404. Hono itself returns 404 for both.
 */
export function routeNotFound(app: Hono<AppEnv>) {
  const patterns = new Map<string, RegExp>();
  const allowedMethods = (path: string): string[] => {
    const methods = new Set<string>();
    for (const route of app.routes) {
      if (route.method === 'ALL') continue;
      let pattern = patterns.get(route.path);
      if (!pattern) patterns.set(route.path, (pattern = patternRegExp(route.path)));
      if (pattern.test(path)) methods.add(route.method);
    }
    // Hono handles a HEAD request with the GET route.
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  };

  return (c: Context<AppEnv>): Response => {
    const path = echo(c.req.path);
    const allowed = allowedMethods(c.req.path);
    if (allowed.length === 0) {
      return c.json(errorBody('NOT_FOUND', `no route for ${c.req.method} ${path}`), 404);
    }
    const message = `method ${c.req.method} is not allowed on ${path}: use ${allowed.join(', ')}`;
    return c.json(errorBody('METHOD_NOT_ALLOWED', message), 405, { Allow: allowed.join(', ') });
  };
}

/** Converts a Hono route path such as `/files/:id` into an anchored regular expression. */
function patternRegExp(routePath: string): RegExp {
  const segments = routePath.split('/').map((segment) => {
    if (segment.startsWith(':')) return '[^/]+';
    if (segment === '*') return '.*';
    return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  });
  return new RegExp(`^${segments.join('/')}$`);
}
