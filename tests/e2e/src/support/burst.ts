import { submit } from './api-client.ts';
import type { ScriptedFileServer } from './file-server.ts';
import type { Accepted } from './verify.ts';

/** Submits `count` uploads of generated files under `prefix`, `concurrency` at a time. */
export async function submitBurst(
  apiUrl: string,
  files: ScriptedFileServer,
  options: { prefix: string; bucket: string; count: number; size: number; concurrency?: number },
): Promise<Accepted[]> {
  const { prefix, bucket, count, size, concurrency = 16 } = options;
  const accepted: Accepted[] = [];
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < count; index = next++) {
      const path = `${prefix}/${index}.bin`;
      const key = `${prefix.replace(/^\//, '')}/${index}.bin`;
      const response = await submit(apiUrl, { file_url: files.url(path), bucket_name: bucket, object_name: key });
      if (response.status !== 202) throw new Error(`upload ${index} answered ${response.status}: ${JSON.stringify(response.json)}`);
      accepted.push({ id: String(response.json.id), bucket, key, path, size });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return accepted;
}
