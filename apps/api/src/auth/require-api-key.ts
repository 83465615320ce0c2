import { createMiddleware } from 'hono/factory';
import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import type { AppEnv } from '../http/app-env.ts';
import { errorBody } from '../http/errors.ts';
import type { ApiKeyAuthenticator } from './authenticator.ts';

/** Body of every 401, the same for each cause so a client cannot tell the causes apart. */
const UNAUTHORIZED = errorBody(
  'UNAUTHORIZED',
  'a valid API key is required: send the header "Authorization: Bearer <key>"',
);

/**
 * Authenticates every request it covers and limits each key's request rate. A missing,
 * malformed, unknown or revoked key gets the same 401; the log line names the case.
 */
export function requireApiKey(auth: ApiKeyAuthenticator, limiter: RateLimiterAbstract) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const result = await auth.authenticate(c.req.header('authorization'));
    if (!result.ok) {
      c.var.logger.warn({ authFailure: result.reason, path: c.req.path }, 'request not authenticated');
      return c.json(UNAUTHORIZED, 401, { 'WWW-Authenticate': 'Bearer realm="fileflow"' });
    }
    const { principal } = result;
    c.set('ownerId', principal.keyId);
    c.set('principal', principal);
    c.set('logger', c.var.logger.child({ apiKey: principal.name }));

    try {
      await limiter.consume(principal.keyId);
    } catch (rejection) {
      const waitMs = (rejection as RateLimiterRes).msBeforeNext ?? 1_000;
      const retryAfter = String(Math.max(1, Math.ceil(waitMs / 1_000)));
      c.var.logger.warn({ retryAfter }, 'request rate limit reached');
      const message = `request rate limit reached for this API key: retry after ${retryAfter} s`;
      return c.json(errorBody('RATE_LIMITED', message), 429, { 'Retry-After': retryAfter });
    }
    await next();
  });
}
