import { createHash } from 'node:crypto';
import type http from 'node:http';

/** Deterministic bytes of a generated file: SHA-256 blocks of its name, repeated. */
export function generatedBytes(name: string, size: number): Buffer {
  const block = createHash('sha256').update(name).digest();
  const bytes = Buffer.alloc(size);
  for (let offset = 0; offset < size; offset += block.length) block.copy(bytes, offset);
  return bytes;
}

/**
 * Builds a reply that serves a generated file named after the request path, in chunks of
 * `chunkSize` bytes every `intervalMs` milliseconds, so a download takes a known time.
 */
export function generatedFileReply(size: number, chunkSize = size, intervalMs = 0) {
  return (req: http.IncomingMessage, res: http.ServerResponse) => {
    const bytes = generatedBytes(new URL(req.url ?? '/', 'http://x').pathname, size);
    res.writeHead(200, { 'content-length': String(size), 'content-type': 'application/octet-stream' });
    let offset = 0;
    const writeNext = () => {
      if (res.destroyed) return;
      res.write(bytes.subarray(offset, offset + chunkSize));
      offset += chunkSize;
      if (offset >= size) res.end();
      else setTimeout(writeNext, intervalMs);
    };
    writeNext();
  };
}
