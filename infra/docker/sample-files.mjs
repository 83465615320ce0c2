// Static file server of the compose stack's `samples` service: it gives the first upload a
// source inside the stack. Serves the regular files directly inside SAMPLES_DIR (default
// /samples) on PORT (default 8080) and returns 404 for anything else, subfolders included.

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';

const samplesDir = path.resolve(process.env.SAMPLES_DIR ?? '/samples');
const port = Number(process.env.PORT ?? 8080);

const CONTENT_TYPES = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.pdf': 'application/pdf',
  '.txt': 'text/plain; charset=utf-8',
  '.json': 'application/json',
};

/** Returns the path of the requested sample, or null when the URL names no file directly in samplesDir. */
function resolveSample(requestUrl) {
  const { pathname } = new URL(requestUrl, 'http://samples');
  const name = decodeURIComponent(pathname.slice(1));
  if (name === '' || name !== path.basename(name) || name.startsWith('.')) return null;
  return path.join(samplesDir, name);
}

const server = http.createServer(async (request, response) => {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  if (request.url === '/healthz') {
    response.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    return;
  }
  let filePath;
  try {
    filePath = resolveSample(request.url);
  } catch {
    filePath = null; // decodeURIComponent throws on a malformed percent-encoding.
  }
  const info = filePath ? await stat(filePath).catch(() => null) : null;
  if (!info?.isFile()) {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    return;
  }
  const type = CONTENT_TYPES[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
  response.writeHead(200, { 'content-type': type, 'content-length': info.size });
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  createReadStream(filePath)
    .on('error', (error) => {
      console.error(`reading ${filePath} failed: ${error.message}`);
      response.destroy(error);
    })
    .pipe(response);
});

server.listen(port, () => console.log(`serving ${samplesDir} on port ${port}`));

// As PID 1 in a container, Node ignores SIGTERM unless it installs a handler.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => process.exit(0));
}
