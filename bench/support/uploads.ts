import type pg from 'pg';
import { authHeaders } from './api-key.ts';

/** One upload to request: a generated file of the file server and where to store it. */
export interface UploadItem {
  fileUrl: string;
  bucket: string;
  key: string;
}

/** Builds `count` items of generated files `<prefix>/<index>.bin` of `size` bytes. */
export function generatedItems(fileServerUrl: string, bucket: string, prefix: string, count: number, size: number) {
  return Array.from({ length: count }, (_, index): UploadItem => {
    const key = `${prefix}/${index}.bin`;
    return { fileUrl: `${fileServerUrl}/files/${size}/${key}`, bucket, key };
  });
}

/**
 * Posts every item to the API, `concurrency` requests at a time, and returns the upload ids with
 * the times of the first request and of the last response, in ms since the epoch. Raises on any
 * response but 202.
 */
export async function submitUploads(
  apiUrl: string,
  apiKey: string | undefined,
  items: UploadItem[],
  concurrency = 64,
): Promise<{ ids: string[]; startedAt: number; acceptedAt: number }> {
  const ids: string[] = new Array(items.length);
  const headers = { 'content-type': 'application/json', ...authHeaders(apiKey) };
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < items.length; index = next++) {
      const item = items[index]!;
      const body = JSON.stringify({ file_url: item.fileUrl, bucket_name: item.bucket, object_name: item.key });
      const response = await fetch(`${apiUrl}/api/v1/upload`, { method: 'POST', headers, body });
      const text = await response.text();
      if (response.status !== 202) throw new Error(`POST /api/v1/upload returned ${response.status}: ${text}`);
      ids[index] = (JSON.parse(text) as { id: string }).id;
    }
  };
  const startedAt = Date.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return { ids, startedAt, acceptedAt: Date.now() };
}

/** An upload's row once it is final. */
export interface FinalUpload {
  id: string;
  objectName: string;
  status: 'completed' | 'failed';
  sha256: string | null;
  size: number | null;
  completedAt: Date | null;
}

/**
 * Polls the files table until every upload in `ids` is completed or failed and returns their
 * rows, or raises after `timeoutMs`. `onPoll` runs after each poll, such as to sample memory.
 */
export async function waitForFinal(
  pool: pg.Pool,
  ids: string[],
  timeoutMs: number,
  onPoll: () => Promise<void> = async () => {},
  pollMs = 200,
): Promise<FinalUpload[]> {
  const deadline = Date.now() + timeoutMs;
  let final = 0;
  while (Date.now() < deadline) {
    const { rows } = await pool.query<{ n: number }>(
      `select count(*)::int as n from files where id = any($1::uuid[]) and status in ('completed', 'failed')`,
      [ids],
    );
    final = rows[0]?.n ?? 0;
    await onPoll();
    if (final === ids.length) return readFinal(pool, ids);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  throw new Error(`${ids.length - final} of ${ids.length} uploads did not finish within ${timeoutMs} ms`);
}

async function readFinal(pool: pg.Pool, ids: string[]): Promise<FinalUpload[]> {
  const { rows } = await pool.query<FinalUpload>(
    `select id, object_name as "objectName", status, sha256, size, completed_at as "completedAt"
     from files where id = any($1::uuid[])`,
    [ids],
  );
  return rows;
}

/**
 * Raises an error unless every upload completed with the SHA-256 that `expectedSha256` returns
 * for its object name.
 */
export function checkCompleted(uploads: FinalUpload[], expectedSha256: (objectName: string) => string): void {
  const failed = uploads.filter((upload) => upload.status !== 'completed');
  if (failed.length > 0) {
    throw new Error(`${failed.length} of ${uploads.length} uploads failed, such as ${failed[0]!.objectName}`);
  }
  const wrong = uploads.filter((upload) => upload.sha256 !== expectedSha256(upload.objectName));
  if (wrong.length > 0) {
    const first = wrong[0]!;
    throw new Error(
      `${wrong.length} uploads stored a SHA-256 that differs from the source's, such as ` +
        `${first.objectName}: ${first.sha256}`,
    );
  }
}

/** Time of the last completion in ms since the epoch. */
export function lastCompletion(uploads: FinalUpload[]): number {
  return Math.max(...uploads.map((upload) => upload.completedAt?.getTime() ?? Number.NaN));
}
