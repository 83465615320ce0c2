import { appendFile, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { generatedBytes } from './generated-files.ts';
import { readObject, sha256 } from './storage.ts';
import type { LogLine } from './system.ts';

/** An accepted upload of a generated file. */
export interface Accepted {
  id: string;
  bucket: string;
  key: string;
  /** Path on the file server, which names the generated content. */
  path: string;
  size: number;
}

/** Counts that show whether any accepted upload was lost or done twice. */
export interface DeliveryReport {
  accepted: number;
  completed: number;
  failed: number;
  unfinished: number;
  /** Uploads with more or fewer than one "upload completed" log line. */
  duplicatedOrMissingCompletions: number;
  /** Completed uploads whose object is missing or differs from the source. */
  badObjects: number;
  seconds: number;
}

/** Waits until every upload is final or `timeoutMs` passes, then checks rows, logs and objects. */
export async function verifyDelivery(
  db: pg.Pool,
  uploads: Accepted[],
  logs: LogLine[],
  timeoutMs: number,
  startedAt: number,
): Promise<DeliveryReport> {
  const ids = uploads.map((u) => u.id);
  const deadline = Date.now() + timeoutMs;
  let statuses = new Map<string, string>();
  while (Date.now() < deadline) {
    const rows = await db.query<{ id: string; status: string }>('select id, status from files where id = any($1::uuid[])', [ids]);
    statuses = new Map(rows.rows.map((r) => [r.id, r.status]));
    const unfinished = ids.filter((id) => !['completed', 'failed'].includes(statuses.get(id) ?? ''));
    if (unfinished.length === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const seconds = (Date.now() - startedAt) / 1_000;
  const completions = new Map<string, number>();
  for (const line of logs) {
    if (line.json?.msg !== 'upload completed') continue;
    const id = String(line.json.uploadId);
    completions.set(id, (completions.get(id) ?? 0) + 1);
  }
  let badObjects = 0;
  for (const upload of uploads.filter((u) => statuses.get(u.id) === 'completed')) {
    const expected = sha256(generatedBytes(upload.path, upload.size));
    const stored = await readObject(upload.bucket, upload.key).then(sha256, () => 'missing');
    if (stored !== expected) badObjects += 1;
  }
  const count = (status: string) => ids.filter((id) => statuses.get(id) === status).length;
  return {
    accepted: ids.length,
    completed: count('completed'),
    failed: count('failed'),
    unfinished: ids.length - count('completed') - count('failed'),
    duplicatedOrMissingCompletions: ids.filter((id) => completions.get(id) !== 1).length,
    badObjects,
    seconds: Math.round(seconds * 10) / 10,
  };
}

const REPORT_FILE = fileURLToPath(new URL('../../../../test-artifacts/reliability.jsonl', import.meta.url));

/** Appends a scenario's report for scripts/reliability-report.mjs to render. */
export async function recordScenario(scenario: string, report: DeliveryReport, notes: string): Promise<void> {
  await mkdir(new URL('../../../../test-artifacts/', import.meta.url), { recursive: true });
  const line = JSON.stringify({ scenario, ...report, notes, at: new Date().toISOString() });
  await appendFile(REPORT_FILE, `${line}\n`);
}
