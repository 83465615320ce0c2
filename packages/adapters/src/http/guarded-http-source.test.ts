import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { setImmediate } from 'node:timers/promises';
import { join } from 'node:path';
import tls from 'node:tls';
import v8 from 'node:v8';
import vm from 'node:vm';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { UploadFailure } from '@fileflow/domain';
import { GuardedHttpSource, type GuardedHttpSourceOptions } from './guarded-http-source.ts';
import {
  closedPort,
  expectFailure,
  readAll,
  recordingConnector,
  recordingLookup,
  startHttpServer,
  startRawServer,
  timed,
  type TestServer,
} from './http-test-support.ts';

/** Signal that is never aborted. The source removes its listener after each download. */
const signal = new AbortController().signal;
const LOCAL: GuardedHttpSourceOptions = { allowedPrivateNetworks: ['127.0.0.0/8'] };
const PAYLOAD = randomBytes(100 * 1024);
/** Upper bound for "promptly": generous for a loaded CI machine, far below any default limit. */
const PROMPT_MS = 2000;

function head(fields: string): string {
  return `HTTP/1.1 200 OK\r\n${fields}Connection: close\r\n\r\n`;
}

/**
 * Runs full garbage collections. The flag makes V8 define gc() in new contexts. V8 frees
 * ArrayBuffer memory on a background sweeper, so a second pass after a macrotask lets
 * process.memoryUsage() see it.
 */
async function collectGarbage(): Promise<void> {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  for (let pass = 0; pass < 2; pass += 1) {
    gc();
    await setImmediate();
  }
}

function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;
}

describe('GuardedHttpSource well-behaved sources', { timeout: 10_000 }, () => {
  let server: TestServer;
  before(async () => {
    server = await startHttpServer((request, response) => {
      if (request.url === '/gzip') {
        response.setHeader('Content-Encoding', 'gzip');
        response.setHeader('Content-Type', 'text/plain');
        response.end(gzipSync(PAYLOAD));
        return;
      }
      const hop = /^\/hop\/(\d+)$/.exec(request.url ?? '');
      const remaining = Number(hop?.[1] ?? 0);
      if (remaining > 0) {
        const status = [301, 302, 303, 307, 308][remaining % 5];
        // A relative reference: resolves against /hop/N to /hop/N-1.
        response.writeHead(status ?? 302, { Location: `${remaining - 1}` }).end();
        return;
      }
      // setHeader and end(data), unlike writeHead, let Node send a Content-Length.
      response.setHeader('Content-Type', 'Text/Plain; charset=utf-8');
      response.end(PAYLOAD);
    });
  });
  after(() => server.close());

  it('returns the body as served', async () => {
    const source = new GuardedHttpSource(LOCAL);

    const file = await source.open(server.url('/file.bin'), AbortSignal.timeout(5000));

    assert.equal(file.declaredSize, PAYLOAD.length);
    assert.equal(file.contentType, 'text/plain; charset=utf-8');
    assert.ok((await readAll(file.body)).equals(PAYLOAD));
  });

  it('sends identity encoding and user agent', async () => {
    const source = new GuardedHttpSource(LOCAL);

    await readAll((await source.open(server.url('/h'), AbortSignal.timeout(5000))).body);

    const sent = server.requests.at(-1) ?? '';
    assert.match(sent, /^GET \/h HTTP\/1\.1\r\n/);
    assert.match(sent, /\r\nAccept-Encoding: identity\r\n/);
    assert.match(sent, /\r\nUser-Agent: FileFlow\/0\.1\r\n/);
    assert.match(sent, new RegExp(`\\r\\nHost: 127\\.0\\.0\\.1:${server.port}\\r\\n`));
  });

  it('connects to the address it checked', async () => {
    const table = { 'files.test': ['127.0.0.1'] };
    const lookup = recordingLookup(table);
    const source = new GuardedHttpSource({ ...LOCAL, lookup });
    const url = `http://files.test:${server.port}/named`;

    const file = await source.open(url, AbortSignal.timeout(5000));
    // A second lookup would now return 10.0.0.1, so the socket must not look the name up again.
    table['files.test'] = ['10.0.0.1'];

    assert.ok((await readAll(file.body)).equals(PAYLOAD));
    assert.deepEqual(lookup.calls, ['files.test']);
    const host = new RegExp(`\\r\\nHost: files\\.test:${server.port}\\r\\n`);
    assert.match(server.requests.at(-1) ?? '', host);
  });

  it('stores gzip bytes as served', async () => {
    const source = new GuardedHttpSource(LOCAL);
    const served = gzipSync(PAYLOAD);

    const file = await source.open(server.url('/gzip'), AbortSignal.timeout(5000));
    const stored = await readAll(file.body);

    assert.ok(stored.equals(served), 'stored bytes differ from the gzip bytes served');
    assert.ok(!stored.equals(PAYLOAD));
    assert.equal(file.declaredSize, served.length);
    assert.equal(file.contentType, 'text/plain');
  });

  it('releases chunks while reading', async (context) => {
    const block = Buffer.alloc(64 * 1024, 7);
    const server = await startHttpServer((_, response) => {
      response.setHeader('Content-Length', block.length * 1024);
      let sent = 0;
      const pump = (): void => {
        while (sent < 1024) {
          sent += 1;
          if (!response.write(block)) {
            response.once('drain', pump);
            return;
          }
        }
        response.end();
      };
      pump();
    });
    context.after(() => server.close());
    const source = new GuardedHttpSource(LOCAL);
    await collectGarbage();
    const before = process.memoryUsage().arrayBuffers;

    const file = await source.open(server.url(), signal);
    let received = 0;
    for await (const chunk of file.body) received += chunk.length;
    await collectGarbage();
    const retained = process.memoryUsage().arrayBuffers - before;

    // A leak keeps all 64 MiB. The margin covers buffers other tests leave behind.
    assert.equal(received, 64 * 1024 * 1024);
    assert.ok(retained < 16 * 1024 * 1024, `${retained} bytes of 64 MiB still retained`);
    // Uses `file` after the measurement, so the body stays reachable as it is mid-read.
    assert.ok(file.body);
  });

  it('follows five redirects', async () => {
    const source = new GuardedHttpSource(LOCAL);
    const before = server.requests.length;

    const file = await source.open(server.url('/hop/5'), AbortSignal.timeout(5000));

    assert.ok((await readAll(file.body)).equals(PAYLOAD));
    const paths = server.requests.slice(before).map((sent) => sent.split(' ')[1]);
    assert.deepEqual(paths, ['/hop/5', '/hop/4', '/hop/3', '/hop/2', '/hop/1', '/hop/0']);
  });

  it('rejects the sixth redirect', async () => {
    const source = new GuardedHttpSource(LOCAL);

    const failure = await expectFailure(
      source.open(server.url('/hop/6'), signal),
      'SOURCE_INVALID',
    );

    assert.match(failure.message, /more than 5 times \(maxRedirects=5\)/);
  });

  it('honours a lower maxRedirects', async () => {
    const source = new GuardedHttpSource({ ...LOCAL, maxRedirects: 0 });

    const failure = await expectFailure(
      source.open(server.url('/hop/1'), signal),
      'SOURCE_INVALID',
    );

    assert.match(failure.message, /maxRedirects=0/);
  });
});

describe('GuardedHttpSource size limits', { timeout: 10_000 }, () => {
  it('rejects a large Content-Length before reading', async (context) => {
    const server = await startRawServer((socket) => socket.write(head('Content-Length: 5000\r\n')));
    context.after(() => server.close());
    const names = { maxBytes: 'FILEFLOW_MAX_FILE_BYTES' };
    const source = new GuardedHttpSource({ ...LOCAL, maxBytes: 1000, limitSettingNames: names });

    const { result: failure, ms } = await timed(() =>
      expectFailure(source.open(server.url(), signal), 'SOURCE_TOO_LARGE'),
    );

    assert.match(failure.message, /Content-Length of 5000 bytes/);
    assert.match(failure.message, /\(FILEFLOW_MAX_FILE_BYTES=1000\)/);
    assert.equal(failure.retryable, false);
    assert.ok(ms < PROMPT_MS, `took ${ms} ms`);
  });

  it('stops a chunked body at maxBytes', async (context) => {
    const server = await startHttpServer((_, response) => {
      for (let index = 0; index < 100; index += 1) response.write(PAYLOAD.subarray(0, 512));
      response.end();
    });
    context.after(() => server.close());
    const source = new GuardedHttpSource({ ...LOCAL, maxBytes: 10_000 });
    const file = await source.open(server.url(), signal);
    let received = 0;

    const failure = await expectFailure(
      (async () => {
        for await (const chunk of file.body) received += chunk.length;
      })(),
      'SOURCE_TOO_LARGE',
    );

    assert.equal(file.declaredSize, null);
    assert.ok(received <= 10_000, `received ${received} bytes`);
    assert.match(failure.message, /exceeded the 9\.8 KiB limit \(maxBytes=10000\)/);
  });

  it('rejects bytes past Content-Length', async (context) => {
    const server = await startRawServer((socket) =>
      socket.end(`${head('Content-Length: 5\r\n')}helloEXTRA-BYTES`),
    );
    context.after(() => server.close());
    const source = new GuardedHttpSource(LOCAL);
    const file = await source.open(server.url(), signal);

    const failure = await expectFailure(readAll(file.body), 'SOURCE_INVALID');

    assert.match(failure.message, /sent bytes past its Content-Length of 5/);
  });

  it('accepts a reset after a complete body', async (context) => {
    const server = await startRawServer((socket) => {
      socket.write(`${head('Content-Length: 5\r\n')}hello`, () => {
        setTimeout(() => socket.resetAndDestroy(), 20);
      });
    });
    context.after(() => server.close());
    const source = new GuardedHttpSource(LOCAL);
    const file = await source.open(server.url(), signal);
    // Reads only after the reset, so the request has already reported ECONNRESET.
    await new Promise((resolve) => setTimeout(resolve, 150));

    assert.equal((await readAll(file.body)).toString(), 'hello');
  });

  it('rejects a body shorter than Content-Length', async (context) => {
    const server = await startRawServer((socket) =>
      socket.end(`${head('Content-Length: 10\r\n')}hello`),
    );
    context.after(() => server.close());
    const source = new GuardedHttpSource(LOCAL);
    const file = await source.open(server.url(), signal);

    const failure = await expectFailure(readAll(file.body), 'SOURCE_INTERRUPTED');

    assert.match(failure.message, /after 5 of 10 declared bytes/);
    assert.equal(failure.retryable, true);
  });
});

describe('GuardedHttpSource misbehaving sources', { timeout: 10_000 }, () => {
  it('times out a stalled body', async (context) => {
    const server = await startRawServer((socket) =>
      socket.write(`${head('Content-Length: 1000\r\n')}first bytes`),
    );
    context.after(() => server.close());
    const source = new GuardedHttpSource({ ...LOCAL, idleTimeoutMs: 300 });
    const timersBefore = activeTimers();
    const file = await source.open(server.url(), signal);

    const { result: failure, ms } = await timed(() =>
      expectFailure(readAll(file.body), 'SOURCE_TIMEOUT'),
    );

    assert.match(failure.message, /waiting for body bytes from 127\.0\.0\.1:\d+ timed out/);
    assert.match(failure.message, /after 300 ms \(idleTimeoutMs=300\)/);
    assert.ok(ms < PROMPT_MS, `took ${ms} ms`);
    assert.equal(activeTimers(), timersBefore, 'a timer is still running');
  });

  it('times out a trickling body', async (context) => {
    const server = await startRawServer((socket) => {
      socket.write(head('Content-Length: 100\r\n'));
      const timer = setInterval(() => socket.write('x'), 50);
      socket.on('close', () => clearInterval(timer));
    });
    context.after(() => server.close());
    const source = new GuardedHttpSource({ ...LOCAL, idleTimeoutMs: 1000, totalTimeoutMs: 600 });
    const file = await source.open(server.url(), signal);

    const { result: failure, ms } = await timed(() =>
      expectFailure(readAll(file.body), 'SOURCE_TIMEOUT'),
    );

    assert.match(failure.message, /download of http:\/\/127\.0\.0\.1:\d+\/ timed out/);
    assert.match(failure.message, /after 600 ms \(totalTimeoutMs=600\)/);
    assert.ok(ms < PROMPT_MS, `took ${ms} ms`);
  });

  it('times out missing response headers', async (context) => {
    const server = await startRawServer(() => {});
    context.after(() => server.close());
    const source = new GuardedHttpSource({ ...LOCAL, headersTimeoutMs: 300 });

    const { result: failure, ms } = await timed(() =>
      expectFailure(source.open(server.url(), signal), 'SOURCE_TIMEOUT'),
    );

    assert.match(failure.message, /waiting for response headers from 127\.0\.0\.1:\d+ timed out/);
    assert.match(failure.message, /after 300 ms \(headersTimeoutMs=300\)/);
    assert.ok(ms < PROMPT_MS, `took ${ms} ms`);
  });

  it('times out a connect that hangs', async () => {
    // A socket whose lookup never calls back stays in the connecting state and uses no network.
    const connect = (): net.Socket => net.connect({ host: 'hang.test', port: 9, lookup: () => {} });
    const source = new GuardedHttpSource({ ...LOCAL, connect, connectTimeoutMs: 200 });

    const { result: failure, ms } = await timed(() =>
      expectFailure(source.open('http://127.0.0.1:9/', signal), 'SOURCE_TIMEOUT'),
    );

    assert.match(failure.message, /connectTimeoutMs=200/);
    assert.ok(ms < PROMPT_MS, `took ${ms} ms`);
  });

  it('times out a DNS lookup that hangs', async () => {
    const lookup = (): Promise<never> => new Promise(() => {});
    const connect = recordingConnector();
    const source = new GuardedHttpSource({ lookup, connect, connectTimeoutMs: 200 });

    const failure = await expectFailure(source.open('http://slow.test/', signal), 'SOURCE_TIMEOUT');

    assert.match(failure.message, /connecting to slow\.test timed out/);
    assert.match(failure.message, /after 200 ms \(connectTimeoutMs=200\)/);
  });

  it('reports a reset at 50 percent', async (context) => {
    const server = await startRawServer((socket) => {
      socket.write(`${head('Content-Length: 2000\r\n')}${'x'.repeat(1000)}`, () => {
        setTimeout(() => socket.resetAndDestroy(), 50);
      });
    });
    context.after(() => server.close());
    const source = new GuardedHttpSource(LOCAL);
    const file = await source.open(server.url(), signal);

    const failure = await expectFailure(readAll(file.body), 'SOURCE_INTERRUPTED');

    assert.equal(failure.retryable, true);
    assert.match(failure.message, /of 2000 declared bytes/);
  });

  it('reports an HTTP 404 as permanent', async (context) => {
    const server = await startHttpServer((_, response) => response.writeHead(404).end('missing'));
    context.after(() => server.close());
    const source = new GuardedHttpSource(LOCAL);

    const failure = await expectFailure(
      source.open(server.url('/gone?signature=s3cr3t'), signal),
      'SOURCE_HTTP_ERROR',
    );

    assert.equal(failure.httpStatus, 404);
    assert.equal(failure.retryable, false);
    assert.ok(!failure.message.includes('s3cr3t'), failure.message);
  });

  for (const status of [408, 429, 500, 503]) {
    it(`reports an HTTP ${status} as retryable`, async (context) => {
      const server = await startHttpServer((_, response) => response.writeHead(status).end());
      context.after(() => server.close());
      const source = new GuardedHttpSource(LOCAL);

      const failure = await expectFailure(source.open(server.url(), signal), 'SOURCE_HTTP_ERROR');

      assert.equal(failure.httpStatus, status);
      assert.equal(failure.retryable, true);
    });
  }

  it('reports a refused connection as retryable', async () => {
    const port = await closedPort();
    const source = new GuardedHttpSource(LOCAL);

    const failure = await expectFailure(
      source.open(`http://127.0.0.1:${port}/`, signal),
      'SOURCE_UNREACHABLE',
    );

    assert.equal(failure.retryable, true);
    assert.match(failure.message, /ECONNREFUSED/);
  });

  it('reports a peer gone at connect as retryable', async (context) => {
    // A peer that resets right after accept leaves remoteAddress undefined at 'connect'.
    const server = await startRawServer(() => {});
    context.after(() => server.close());
    const connect = (): net.Socket => {
      const socket = net.connect({ host: '127.0.0.1', port: server.port });
      Object.defineProperty(socket, 'remoteAddress', { get: () => undefined });
      return socket;
    };
    const source = new GuardedHttpSource({ ...LOCAL, connect });

    const failure = await expectFailure(source.open(server.url(), signal), 'SOURCE_UNREACHABLE');

    assert.match(failure.message, /closed by the peer as it opened/);
    assert.deepEqual(server.requests, []);
  });

  it('reports a garbage response as invalid', async (context) => {
    const server = await startRawServer((socket) => socket.end('NOT HTTP AT ALL\r\n\r\n'));
    context.after(() => server.close());
    const source = new GuardedHttpSource(LOCAL);

    await expectFailure(source.open(server.url(), signal), 'SOURCE_INVALID');
  });

  it('reports a temporary DNS failure as retryable', async () => {
    const lookup = async (): Promise<never> => {
      throw Object.assign(new Error('getaddrinfo EAI_AGAIN files.test'), { code: 'EAI_AGAIN' });
    };
    const source = new GuardedHttpSource({ lookup, connect: recordingConnector() });

    const failure = await expectFailure(
      source.open('http://files.test/', signal),
      'SOURCE_UNREACHABLE',
    );

    assert.match(failure.message, /DNS lookup of files\.test failed \(EAI_AGAIN\)/);
  });

  it('reports an unknown host as permanent', async () => {
    const lookup = recordingLookup({});
    const source = new GuardedHttpSource({ lookup, connect: recordingConnector() });

    const failure = await expectFailure(
      source.open('http://nowhere.test/', signal),
      'SOURCE_INVALID',
    );

    assert.match(failure.message, /nowhere\.test was not found in DNS \(ENOTFOUND\)/);
  });

  it('rejects a connection to an unchecked address', async (context) => {
    // A connector that ignores the checked address simulates a swapped DNS result.
    const server = await startRawServer(() => {});
    context.after(() => server.close());
    const lookup = recordingLookup({ 'public.test': ['8.8.8.8'] });
    const connect = (): net.Socket => net.connect({ host: '127.0.0.1', port: server.port });
    const source = new GuardedHttpSource({ lookup, connect });

    const failure = await expectFailure(
      source.open('http://public.test/', signal),
      'SOURCE_BLOCKED',
    );

    assert.match(failure.message, /127\.0\.0\.1 is in the loopback range/);
    assert.deepEqual(server.requests, [], 'request bytes reached the unchecked address');
  });
});

describe('GuardedHttpSource cancellation', { timeout: 10_000 }, () => {
  let server: TestServer;
  let closedSockets = 0;
  before(async () => {
    server = await startRawServer((socket) => {
      socket.on('close', () => (closedSockets += 1));
      socket.write(`${head('Content-Length: 1000\r\n')}first bytes`);
    });
  });
  after(() => server.close());

  it('stops a body when aborted', async () => {
    const controller = new AbortController();
    const source = new GuardedHttpSource({ ...LOCAL, idleTimeoutMs: 5000 });
    const file = await source.open(server.url(), controller.signal);
    setTimeout(() => controller.abort(new Error('consumer shutting down')), 100);

    const { result: failure, ms } = await timed(() =>
      expectFailure(readAll(file.body), 'SOURCE_INTERRUPTED'),
    );

    assert.match(failure.message, /was cancelled: consumer shutting down/);
    assert.equal(failure.retryable, true);
    assert.ok(ms < PROMPT_MS, `took ${ms} ms`);
  });

  it('maps a timeout signal to SOURCE_TIMEOUT', async () => {
    const source = new GuardedHttpSource({ ...LOCAL, idleTimeoutMs: 5000 });
    const file = await source.open(server.url(), AbortSignal.timeout(200));

    await expectFailure(readAll(file.body), 'SOURCE_TIMEOUT');
  });

  it('keeps an UploadFailure reason', async () => {
    const controller = new AbortController();
    const reason = new UploadFailure('SOURCE_TIMEOUT', 'lease expired');
    const source = new GuardedHttpSource(LOCAL);
    const file = await source.open(server.url(), controller.signal);
    controller.abort(reason);

    await assert.rejects(readAll(file.body), (error) => error === reason);
  });

  it('does nothing for an aborted signal', async () => {
    const lookup = recordingLookup({ 'files.test': ['127.0.0.1'] });
    const connect = recordingConnector();
    const source = new GuardedHttpSource({ ...LOCAL, lookup, connect });

    const aborted = AbortSignal.abort();
    await expectFailure(source.open('http://files.test/', aborted), 'SOURCE_INTERRUPTED');

    assert.deepEqual(lookup.calls, []);
    assert.deepEqual(connect.targets, []);
  });

  it('closes the connection on return', async () => {
    const source = new GuardedHttpSource(LOCAL);
    const closedBefore = closedSockets;
    const file = await source.open(server.url(), signal);

    for await (const chunk of file.body) {
      assert.ok(chunk.length > 0);
      break;
    }

    await waitFor(() => closedSockets > closedBefore);
  });
});

describe('GuardedHttpSource over TLS', { timeout: 10_000 }, () => {
  let certificate: { key: Buffer; cert: Buffer } | null = null;
  let server: https.Server;
  let port = 0;

  before(async () => {
    certificate = makeCertificate('files.test');
    if (!certificate) return;
    server = https.createServer(certificate, (_, response) => response.end(PAYLOAD));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });
  after(() => {
    server?.closeAllConnections();
    server?.close();
  });

  it('rejects an untrusted certificate', async (context) => {
    if (!certificate) return context.skip('openssl is not available to make a certificate');
    const source = new GuardedHttpSource(LOCAL);

    const failure = await expectFailure(
      source.open(`https://127.0.0.1:${port}/`, signal),
      'SOURCE_BLOCKED',
    );

    assert.match(failure.message, /TLS certificate of 127\.0\.0\.1:\d+ failed verification/);
  });

  it('downloads over a trusted TLS socket', async (context) => {
    if (!certificate) return context.skip('openssl is not available to make a certificate');
    const ca = certificate.cert;
    const connect = recordingConnector((target) =>
      tls.connect({ host: '127.0.0.1', port: target.port, servername: target.hostname, ca }),
    );
    const lookup = recordingLookup({ 'files.test': ['127.0.0.1'] });
    const source = new GuardedHttpSource({ ...LOCAL, lookup, connect });

    const file = await source.open(`https://files.test:${port}/`, signal);

    assert.ok((await readAll(file.body)).equals(PAYLOAD));
    assert.equal(connect.targets[0]?.tls, true);
  });
});

/** Makes a self-signed certificate with openssl, or returns null when openssl is missing. */
function makeCertificate(hostname: string): { key: Buffer; cert: Buffer } | null {
  const folder = mkdtempSync(join(tmpdir(), 'fileflow-tls-'));
  try {
    const key = join(folder, 'key.pem');
    const cert = join(folder, 'cert.pem');
    execFileSync('openssl', [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'],
      ...['-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', `/CN=${hostname}`],
      ...['-addext', `subjectAltName=DNS:${hostname}`],
    ], { stdio: 'ignore' });
    return { key: readFileSync(key), cert: readFileSync(cert) };
  } catch {
    return null;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Polls the condition every 10 ms for at most 2 s. */
async function waitFor(condition: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.fail('condition not met within 2 s');
}
