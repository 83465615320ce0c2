/**
 * Browser module `api-client.js`: sends requests to the API with this tab's API key as a
 * Bearer token and reports 401 responses. The key lives in sessionStorage only.
 */
export const API_CLIENT_SCRIPT = String.raw`
const KEY_ITEM = 'fileflow.apiKey';
const unauthorizedListeners = [];

/** Returns the API key of this tab, or '' when there is none or storage is blocked. */
export function readApiKey() {
  try {
    return sessionStorage.getItem(KEY_ITEM) || '';
  } catch {
    return '';
  }
}

/** Keeps the key for this tab only. Throws when the browser blocks session storage. */
export function saveApiKey(key) {
  sessionStorage.setItem(KEY_ITEM, key);
}

export function forgetApiKey() {
  try {
    sessionStorage.removeItem(KEY_ITEM);
  } catch {
    // Storage is blocked, so no key was kept.
  }
}

/** Calls listener(serverMessage) after every 401 response. */
export function onUnauthorized(listener) {
  unauthorizedListeners.push(listener);
}

/** Raised when a request got no response at all. */
export class ApiUnreachableError extends Error {
  constructor(cause) {
    super('Could not reach the API. Check the connection; the page tries again by itself.');
    this.cause = cause;
  }
}

// Maximum wait a Retry-After header can impose on the polling.
const MAX_RETRY_AFTER_MS = 60000;

/**
 * Sends a request to the API and returns { status, body, retryAfterMs }: body is the parsed
 * JSON or null, retryAfterMs the wait a 429 or 503 asked for, or 0. Sends json as the request
 * body when it is given. Throws ApiUnreachableError on a network failure.
 */
export async function requestApi(path, { method = 'GET', json } = {}) {
  const headers = new Headers({ accept: 'application/json' });
  const key = readApiKey();
  if (key) headers.set('authorization', 'Bearer ' + key);
  if (json !== undefined) headers.set('content-type', 'application/json');

  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: json === undefined ? undefined : JSON.stringify(json),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch (error) {
    throw new ApiUnreachableError(error);
  }

  const body = await response.json().catch(() => null);
  if (response.status === 401) {
    const message = errorOf(body)?.message ?? '';
    for (const listener of unauthorizedListeners) listener(message);
  }
  // Retry-After in seconds; the HTTP-date form is not used by this API and counts as 0.
  const retryAfter = Number(response.headers.get('retry-after')) || 0;
  const retryAfterMs = Math.min(Math.max(retryAfter, 0) * 1000, MAX_RETRY_AFTER_MS);
  return { status: response.status, body, retryAfterMs };
}

/** Returns the { code, message, field } of an API error body, or null. */
export function errorOf(body) {
  const error = body && typeof body === 'object' ? body.error : null;
  return error && typeof error.message === 'string' ? error : null;
}

/** Describes a failed response for a person: the API's message and code, or the status. */
export function describeFailure(response) {
  const error = errorOf(response.body);
  if (!error) return 'the API returned HTTP ' + response.status;
  return error.message + ' (' + error.code + ')';
}
`;
