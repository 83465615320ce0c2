import { UploadFailure } from '@fileflow/domain';

/** SQLSTATE classes and socket codes that mean the database cannot be reached right now. */
const UNAVAILABLE_SQLSTATE_PREFIXES = ['08', '57P', '53'];
const UNAVAILABLE_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND']);

/** A failed query. Its message contains the driver's text without the query or its parameters. */
export class DatabaseQueryError extends Error {
  readonly code = 'DATABASE_QUERY_FAILED';
}

/** True when `error` shows that the database is down, restarting or out of connections. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (UNAVAILABLE_SOCKET_CODES.has(code)) return true;
    if (UNAVAILABLE_SQLSTATE_PREFIXES.some((prefix) => code.startsWith(prefix))) return true;
  }
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|connection timeout|Client has encountered a connection error/i.test(message);
}

/**
 * Translates a driver error: a retryable UploadFailure when the database is unavailable, else
 * a DatabaseQueryError. drizzle's own error is dropped because its message carries the query
 * and its parameters; the driver's error underneath is kept as the cause.
 */
export function translateDatabaseError(error: unknown): Error {
  const driverError = (error as { cause?: unknown } | null)?.cause ?? error;
  const code = (driverError as { code?: unknown } | null)?.code;
  const label = typeof code === 'string' ? code : 'no code';
  if (isDatabaseUnavailable(driverError)) {
    return new UploadFailure('DATABASE_UNAVAILABLE', `database unavailable (${label})`, { cause: driverError });
  }
  const message = driverError instanceof Error ? driverError.message : String(driverError);
  return new DatabaseQueryError(`database query failed (${label}): ${message}`, { cause: driverError });
}
