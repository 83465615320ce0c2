import { DomainError, InvalidValueError, UploadFailure } from '@fileflow/domain';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import type { AppEnv } from './app-env.ts';

/** Body of every error response. */
export interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

/** An error the API returns with a given status, code and message. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** HTTP status of each domain error code that a client can cause. */
const DOMAIN_STATUS: Record<string, ContentfulStatusCode> = {
  UPLOAD_NOT_FOUND: 404,
  NOT_REPLAYABLE: 409,
  ILLEGAL_TRANSITION: 409,
  INVALID_CURSOR: 400,
  INVALID_VALUE: 400,
  IDEMPOTENCY_KEY_REUSED: 422,
};

/** Field named by errors of a code that do not carry a field of their own. */
const DOMAIN_FIELD: Record<string, string> = {
  INVALID_CURSOR: 'cursor',
  IDEMPOTENCY_KEY_REUSED: 'Idempotency-Key',
};

/** Maximum length of client input echoed in an error message, in characters. */
const MAX_ECHO = 80;

/** Builds the error body. */
export function errorBody(code: string, message: string, field?: string): ErrorBody {
  return { error: field ? { code, message, field } : { code, message } };
}

/** Shortens client input for an error message, so a huge value cannot bloat the response. */
export function echo(value: string): string {
  return value.length <= MAX_ECHO ? value : `${value.slice(0, MAX_ECHO)}…`;
}

/** Builds a 400 error naming the first invalid field of a zod error found in `where`. */
export function validationError(error: ZodError, where: string): ApiError {
  const issue = error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    return new ApiError(
      400,
      'UNKNOWN_FIELD',
      `unknown field "${echo(key)}" in ${where}: remove it`,
      echo(key),
    );
  }
  const field = issue.path.map(String).join('.') || undefined;
  return new ApiError(400, 'VALIDATION_FAILED', `${field ?? where} ${issue.message}`, field);
}

/** Maps any error to the one error shape; unknown errors become a 500 without details. */
export function handleError(error: unknown, c: Context<AppEnv>): Response {
  if (error instanceof ApiError) {
    return c.json(errorBody(error.code, error.message, error.field), error.status);
  }
  if (error instanceof HTTPException) return fromHttpException(error, c);
  if (error instanceof UploadFailure && error.code === 'DATABASE_UNAVAILABLE') {
    c.var.logger?.warn({ err: loggable(error) }, 'database unavailable');
    return c.json(
      errorBody('SERVICE_UNAVAILABLE', 'the database is unavailable; retry shortly'),
      503,
      {
        'Retry-After': '5',
      },
    );
  }
  const known = knownError(error);
  if (known) return c.json(errorBody(known.code, known.message, known.field), known.status);
  c.var.logger?.error({ err: loggable(error) }, 'request failed');
  return c.json(errorBody('INTERNAL_ERROR', 'the server failed to handle the request'), 500);
}

/** Returns status, code and message of a coded error a client can cause, or null. */
function knownError(error: unknown) {
  if (!(error instanceof DomainError) && !hasCode(error)) return null;
  const status = DOMAIN_STATUS[error.code];
  if (!status) return null;
  const field = error instanceof InvalidValueError ? error.field : DOMAIN_FIELD[error.code];
  return { status, code: error.code, message: error.message, field };
}

function hasCode(error: unknown): error is { code: string; message: string } {
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'string';
}

/**
 * Returns `error` in a form safe to log. Drizzle's query errors carry the query parameters in
 * their message and stack, so those are replaced, and the driver's SQLSTATE is kept.
 */
export function loggable(error: unknown): unknown {
  if (!(error instanceof Error) || !('params' in error)) return error;
  const cause = error.cause as { code?: unknown } | undefined;
  const stack = (error.stack ?? '').replace(error.message, '[query and parameters omitted]');
  return { type: error.name, message: 'database query failed', sqlState: cause?.code, stack };
}

function fromHttpException(error: HTTPException, c: Context<AppEnv>): Response {
  const status = error.status as ContentfulStatusCode;
  if (status >= 500) {
    c.var.logger?.error({ err: error }, 'request failed');
    return c.json(errorBody('INTERNAL_ERROR', 'the server failed to handle the request'), 500);
  }
  if (status === 400 && /JSON/i.test(error.message)) {
    return c.json(
      errorBody('MALFORMED_JSON', 'request body is not valid JSON: send a JSON object'),
      400,
    );
  }
  if (status === 413) return c.json(errorBody('BODY_TOO_LARGE', 'request body is too large'), 413);
  if (status === 415) {
    return c.json(errorBody('UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json'), 415);
  }
  return c.json(errorBody('BAD_REQUEST', error.message || 'the request is invalid'), status);
}
