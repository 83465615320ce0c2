import { UploadFailure } from '@fileflow/domain';

/** SQLSTATE classes and socket codes that mean the database cannot be reached right now. */
const UNAVAILABLE_SQLSTATE_PREFIXES = ['08', '57P', '53'];
const UNAVAILABLE_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND']);

/** True when `error` says the database is down, restarting or out of connections. */
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
 * Translates a driver error into a retryable UploadFailure when the database is unavailable.
 * The driver's text is left out because it can carry query parameters.
 */
export function translateDatabaseError(error: unknown): unknown {
  const cause = (error as { cause?: unknown } | null)?.cause ?? error;
  if (!isDatabaseUnavailable(cause) && !isDatabaseUnavailable(error)) return error;
  const code = (cause as { code?: string }).code ?? 'connection lost';
  return new UploadFailure('DATABASE_UNAVAILABLE', `database unavailable (${code})`, { cause: error });
}
