/** An upload as the status route returns it. */
export interface UploadBody {
  id: string;
  status: string;
  retry_count: number;
  last_error: { code: string; class: string; message: string } | null;
  etag: string | null;
  size: number | null;
  sha256: string | null;
  content_type: string | null;
  object_name: string;
  download_url: string | null;
}

const keysByApi = new Map<string, string>();

/** Records the API key that requests to `apiUrl` send. */
export function registerApiKey(apiUrl: string, key: string): void {
  keysByApi.set(apiUrl, key);
}

/** Returns the Authorization header for `apiUrl`, or none when no key was registered. */
export function authHeaders(apiUrl: string): Record<string, string> {
  const key = keysByApi.get(apiUrl);
  return key ? { authorization: `Bearer ${key}` } : {};
}

/** Sends a request to a path of the API with its registered key. */
export function apiFetch(apiUrl: string, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = { ...authHeaders(apiUrl), ...(init.headers as Record<string, string> | undefined) };
  return fetch(`${apiUrl}${path}`, { ...init, headers });
}

/** Posts an upload request and returns the response status and JSON body. */
export async function submit(
  apiUrl: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(`${apiUrl}/api/v1/upload`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...authHeaders(apiUrl), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown>, headers: response.headers };
}

/** Reads an upload's status. */
export async function getUpload(apiUrl: string, id: string): Promise<UploadBody> {
  const response = await apiFetch(apiUrl, `/api/v1/files/${id}`);
  if (response.status !== 200) throw new Error(`GET /api/v1/files/${id} answered ${response.status}`);
  return (await response.json()) as UploadBody;
}

/** Polls an upload until it is completed or failed, or raises after `timeoutMs`. */
export async function waitForFinal(apiUrl: string, id: string, timeoutMs = 60_000): Promise<UploadBody> {
  const deadline = Date.now() + timeoutMs;
  let last: UploadBody | null = null;
  while (Date.now() < deadline) {
    last = await getUpload(apiUrl, id);
    if (last.status === 'completed' || last.status === 'failed') return last;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`upload ${id} did not finish within ${timeoutMs} ms; last state ${JSON.stringify(last)}`);
}
