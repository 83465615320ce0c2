import { UploadFailure } from '@fileflow/domain';
import { formatBytes, type LimitName, type Limits } from './download-limits.ts';
import { describeUrl } from './source-url.ts';

/** DNS error codes meaning the name has no address, so a retry is not expected to help. */
const NAME_NOT_FOUND_CODES = new Set(['ENOTFOUND', 'ENODATA']);

/**
 * OpenSSL and Node codes for a certificate that failed verification. They count as
 * SOURCE_BLOCKED: the download is rejected for security, like a blocked address.
 */
const CERTIFICATE_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Progress of a body read, for messages. */
export interface BodyProgress {
  received: number;
  declaredSize: number | null;
}

/** Builds the failure for a host or address the address guard rejected. */
export function blockedAddress(hostname: string, reason: string): UploadFailure {
  return new UploadFailure('SOURCE_BLOCKED', `source host ${hostname} was rejected: ${reason}`);
}

/** Builds the failure for a connection the peer closed before its address could be read. */
export function closedOnConnect(url: URL): UploadFailure {
  const message = `connection to ${url.host} was closed by the peer as it opened`;
  return new UploadFailure('SOURCE_UNREACHABLE', message);
}

/** Translates a DNS lookup error. An unknown name is permanent, any other error retryable. */
export function lookupFailure(error: unknown, hostname: string): UploadFailure {
  const code = errorCode(error);
  if (code !== undefined && NAME_NOT_FOUND_CODES.has(code)) {
    const message = `source host ${hostname} was not found in DNS (${code})`;
    return new UploadFailure('SOURCE_INVALID', message, { cause: error });
  }
  const detail = code ?? errorMessage(error);
  return new UploadFailure('SOURCE_UNREACHABLE', `DNS lookup of ${hostname} failed (${detail})`, {
    cause: error,
  });
}

/** Translates an error raised before the response headers arrived. */
export function requestFailure(error: unknown, url: URL): UploadFailure {
  if (error instanceof UploadFailure) return error;
  const code = errorCode(error);
  const detail = errorMessage(error);
  if (isParseError(error)) return invalidResponse(error, url);
  if (code !== undefined && CERTIFICATE_CODES.has(code)) {
    const message = `TLS certificate of ${url.host} failed verification (${code}): ${detail}`;
    return new UploadFailure('SOURCE_BLOCKED', message, { cause: error });
  }
  const message = `request to ${describeUrl(url)} failed before a response: ${detail}`;
  return new UploadFailure('SOURCE_UNREACHABLE', message, { cause: error });
}

/**
 * Translates an error raised while reading the body. A parse error recorded on the request
 * means the source broke HTTP framing, and any other error means the connection dropped.
 */
export function bodyFailure(
  error: unknown,
  requestError: Error | null,
  url: URL,
  progress: BodyProgress,
): UploadFailure {
  if (error instanceof UploadFailure) return error;
  if (isParseError(requestError)) return invalidResponse(requestError, url);
  const message = `connection to ${url.host} dropped after ${describeProgress(progress)}`;
  return new UploadFailure('SOURCE_INTERRUPTED', `${message}: ${errorMessage(error)}`, {
    cause: error,
  });
}

/** Builds the failure for a body that ended before its declared length. */
export function bodyTruncated(url: URL, progress: BodyProgress): UploadFailure {
  const message = `body from ${describeUrl(url)} ended after ${describeProgress(progress)}`;
  return new UploadFailure('SOURCE_INTERRUPTED', message);
}

/** Returns true for an error of Node's HTTP parser (codes HPE_*). */
export function isParseError(error: unknown): boolean {
  return errorCode(error)?.startsWith('HPE_') === true;
}

/** Builds the failure for bytes the source sent after the end of its response. */
export function bytesPastEnd(error: unknown, url: URL, declaredSize: number | null): UploadFailure {
  const end = declaredSize === null ? 'its response' : `its Content-Length of ${declaredSize}`;
  const message = `source ${url.host} sent bytes past ${end}: ${errorMessage(error)}`;
  return new UploadFailure('SOURCE_INVALID', message, { cause: error });
}

/** Builds the failure for a response the HTTP parser rejected. */
export function invalidResponse(error: unknown, url: URL): UploadFailure {
  const message = `source ${url.host} sent an invalid HTTP response: ${errorMessage(error)}`;
  return new UploadFailure('SOURCE_INVALID', message, { cause: error });
}

/** Builds the failure for a Content-Length above maxBytes. */
export function declaredTooLarge(declaredSize: number, limits: Limits): UploadFailure {
  const limit = limits.values.maxBytes;
  const message =
    `source declared a Content-Length of ${declaredSize} bytes, more than the ` +
    `${formatBytes(limit)} limit (${limits.cite('maxBytes')})`;
  return new UploadFailure('SOURCE_TOO_LARGE', message);
}

/** Builds the failure for a body that grew past maxBytes. */
export function bodyTooLarge(limits: Limits): UploadFailure {
  const limit = formatBytes(limits.values.maxBytes);
  const message = `source body exceeded the ${limit} limit (${limits.cite('maxBytes')})`;
  return new UploadFailure('SOURCE_TOO_LARGE', message);
}

/** Builds the failure for a redirect past maxRedirects. */
export function tooManyRedirects(url: URL, limits: Limits): UploadFailure {
  const count = limits.values.maxRedirects;
  const message =
    `source ${describeUrl(url)} redirected more than ${count} times ` +
    `(${limits.cite('maxRedirects')})`;
  return new UploadFailure('SOURCE_INVALID', message);
}

/** Builds the failure for an operation, such as "connecting to host", that ran out of time. */
export function timedOut(operation: string, limits: Limits, limit: LimitName): UploadFailure {
  const message = `${operation} timed out after ${limits.values[limit]} ms (${limits.cite(limit)})`;
  return new UploadFailure('SOURCE_TIMEOUT', message);
}

/**
 * Translates the caller's cancellation: an UploadFailure reason is kept, a TimeoutError becomes
 * SOURCE_TIMEOUT, and any other reason SOURCE_INTERRUPTED. Both codes are retryable, because the
 * source itself did nothing wrong.
 */
export function cancelled(reason: unknown, url: URL): UploadFailure {
  if (reason instanceof UploadFailure) return reason;
  const isTimeout = reason instanceof Error && reason.name === 'TimeoutError';
  const code = isTimeout ? 'SOURCE_TIMEOUT' : 'SOURCE_INTERRUPTED';
  const detail = reason === undefined ? 'no reason given' : errorMessage(reason);
  return new UploadFailure(code, `download of ${describeUrl(url)} was cancelled: ${detail}`, {
    cause: reason,
  });
}

function describeProgress({ received, declaredSize }: BodyProgress): string {
  const of = declaredSize === null ? '' : ` of ${declaredSize} declared`;
  return `${received}${of} bytes`;
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
