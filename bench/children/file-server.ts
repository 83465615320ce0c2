// File server run as its own process, so that serving files takes no CPU time from the event
// loop of the process under test. GET /files/<size>/<name> returns the generated file <name>
// of <size> bytes. It listens on 127.0.0.1 and prints {"port": N} once it listens.
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { generatedChunks } from '../support/generated-file.ts';

const FILE_PATH = /^\/files\/(\d+)\/([A-Za-z0-9._/-]+)$/;

async function serveFile(response: http.ServerResponse, name: string, size: number): Promise<void> {
  response.writeHead(200, {
    'content-length': String(size),
    'content-type': 'application/octet-stream',
  });
  for (const chunk of generatedChunks(name, size)) {
    if (response.destroyed) return;
    // A client that disconnects while the buffer is full never drains it.
    if (!response.write(chunk)) await Promise.race([once(response, 'drain'), once(response, 'close')]);
  }
  response.end();
}

const server = http.createServer((request, response) => {
  const match = FILE_PATH.exec(request.url ?? '');
  if (request.method !== 'GET' || !match) {
    response.writeHead(404).end('not found: request GET /files/<size>/<name>\n');
    return;
  }
  const [, size, name] = match;
  serveFile(response, name!, Number(size)).catch((error: unknown) => {
    console.error(`file server: serving ${request.url} failed:`, error);
    response.destroy();
  });
});

// The plain copy script reuses keep-alive connections, so idle ones stay open between its requests.
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  console.log(JSON.stringify({ port }));
});

process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
