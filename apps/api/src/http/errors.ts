import {
  DomainError,
  UploadFailure,
} from '@fileflow/domain';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import type { AppEnv } from './app-env.ts';

/** Body of every error answer. */
export interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

/** An error the API answers with a given status, code and message. */
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

/** HTTP status of each domain error code. */
const DOMAIN_STATUS: Record<string, ContentfulStatusCode> = {
  UPLOAD_NOT_FOUND: 404,
  NOT_REPLAYABLE: 409,
  INVALID_CURSOR: 400,
  INVALID_VALUE: 400,
  ILLEGAL_TRANSITION: 409,
};

/** Builds the error body. */
export function errorBody(code: string, message: string, field?: string): ErrorBody {
  return { error: field ? { code, message, field } : { code, message } };
}

/** Builds a 400 answer naming the first invalid field of a zod error. */
export function validationError(error: ZodError, where: string): ApiError {
  const issue = error.issues[0]!;
  const keys = (issue as { keys?: string[] }).keys;
  const path = keys?.length ? keys[0]! : issue.path.join('.');
  if (issue.code === 'unrecognized_keys') {
    return new ApiError(400, 'UNKNOWN_FIELD', `unknown field "${path}" in ${where}: remove it`, path);
  }
  const field = path || undefined;
  const subject = field ? `${field}` : where;
  const missing = issue.code === 'invalid_type' && issue.message.includes('received undefined');
  const message = missing ? `${subject} is required` : `${subject} ${issue.message}`;
  return new ApiError(400, 'VALIDATION_FAILED', message, field);
}

/** Maps any error to the one error shape; unknown errors become a 500 without details. */
export function handleError(error: unknown, c: Context<AppEnv>): Response {
  if (error instanceof ApiError) {
    return c.json(errorBody(error.code, error.message, error.field), error.status);
  }
  if (error instanceof HTTPException) return fromHttpException(error, c);
  if (error instanceof UploadFailure && error.code === 'DATABASE_UNAVAILABLE') {
    return c.json(errorBody('SERVICE_UNAVAILABLE', 'the database is unavailable; retry shortly'), 503, {
      'Retry-After': '5',
    });
  }
  if (error instanceof DomainError || hasCode(error)) {
    const status = DOMAIN_STATUS[error.code];
    if (status) return c.json(errorBody(error.code, error.message), status);
  }
  c.var.logger?.error({ err: error }, 'request failed');
  return c.json(errorBody('INTERNAL_ERROR', 'the server failed to handle the request'), 500);
}

function hasCode(error: unknown): error is { code: string; message: string } {
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'string';
}

function fromHttpException(error: HTTPException, c: Context<AppEnv>): Response {
  const status = error.status as ContentfulStatusCode;
  if (status === 400 && /JSON/i.test(error.message)) {
    return c.json(errorBody('MALFORMED_JSON', 'request body is not valid JSON: send a JSON object'), 400);
  }
  if (status === 413) {
    return c.json(errorBody('BODY_TOO_LARGE', error.message), 413);
  }
  const code = status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST';
  return c.json(errorBody(code, error.message || 'bad request'), status);
}
