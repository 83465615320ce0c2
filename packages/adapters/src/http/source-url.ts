import { UploadFailure } from '@fileflow/domain';

const SUPPORTED_PROTOCOLS = new Set(['http:', 'https:']);

/**
 * Schemes a rejection message may name. Other text before a colon is not echoed, because
 * 'admin:secret@host' parses as scheme 'admin:' with the password in the path.
 */
const NAMED_PROTOCOLS = new Set(['file:', 'ftp:', 'data:', 'javascript:', 'blob:', 'ws:', 'wss:']);

/** Statuses whose Location header is followed. */
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Formats a URL for messages and logs: scheme, host and path only. User info is dropped, and so
 * is the query because it often carries signed tokens.
 */
export function describeUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/** Parses a source URL and checks scheme and credentials, raising SOURCE_INVALID on failure. */
export function parseSourceUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // The raw text is left out because it may contain credentials.
    throw new UploadFailure('SOURCE_INVALID', 'source URL is not a valid absolute URL');
  }
  checkSourceUrl(url, 'source URL');
  return url;
}

/** Returns true for a status that redirects the client to its Location header. */
export function isRedirect(status: number): boolean {
  return REDIRECT_STATUSES.has(status);
}

/**
 * Resolves a redirect's Location against the current URL and checks the target: same rules as
 * the first URL, and https may not redirect to http (SOURCE_BLOCKED, because the body would
 * travel unencrypted).
 */
export function redirectTarget(current: URL, location: string | undefined): URL {
  if (location === undefined || location === '') {
    const message = `redirect from ${describeUrl(current)} has no Location header`;
    throw new UploadFailure('SOURCE_INVALID', message);
  }
  let target: URL;
  try {
    target = new URL(location, current);
  } catch {
    const message = `redirect from ${describeUrl(current)} has an invalid Location header`;
    throw new UploadFailure('SOURCE_INVALID', message);
  }
  checkSourceUrl(target, `redirect target of ${describeUrl(current)}`);
  if (current.protocol === 'https:' && target.protocol === 'http:') {
    const route = `${describeUrl(current)} to ${describeUrl(target)}`;
    const message = `redirect from ${route} was rejected because it downgrades https to http`;
    throw new UploadFailure('SOURCE_BLOCKED', message);
  }
  return target;
}

function checkSourceUrl(url: URL, subject: string): void {
  if (!SUPPORTED_PROTOCOLS.has(url.protocol)) {
    const scheme = NAMED_PROTOCOLS.has(url.protocol) ? ` ${url.protocol}` : '';
    const message = `${subject} has the unsupported scheme${scheme}; use http or https`;
    throw new UploadFailure('SOURCE_INVALID', message);
  }
  if (url.username !== '' || url.password !== '') {
    const message = `${subject} must not contain a user name or password: ${describeUrl(url)}`;
    throw new UploadFailure('SOURCE_INVALID', message);
  }
}
