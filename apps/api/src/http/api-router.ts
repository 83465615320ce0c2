import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './app-env.ts';
import { validationError } from './errors.ts';
import { errorSchema } from './upload-schemas.ts';

/** OpenAPI description of an error response. */
export const errorContent = (description: string) => ({
  description,
  content: { 'application/json': { schema: errorSchema } },
});

/** Error responses that every route behind the API key check may send. */
export const serverErrors = {
  401: errorContent('No valid API key; the body is the same for every cause'),
  429: errorContent('The API key made too many requests; retry after the Retry-After seconds'),
  500: errorContent('The server failed; the body never contains internal details'),
  503: errorContent('The database is unavailable; retry after the Retry-After seconds'),
};

/** Creates a router whose validation failures become the API's 400 error. */
export function apiRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (result.success) return undefined;
      throw validationError(result.error, result.target === 'json' ? 'body' : result.target);
    },
  });
}
