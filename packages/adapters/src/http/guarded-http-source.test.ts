import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
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

const LOCAL: GuardedHttpSourceOptions = { allowedPrivateNetworks: ['127.0.0.0/8'] };
const PAYLOAD = randomBytes(100 * 1024);
/** Upper bound for "promptly": generous for a loaded CI machine, far below any default limit. */
const PROMPT_MS = 2000;

function head(fields: string): string {
  return `HTTP/1.1 200 OK\r\n${fields}Connection: close\r\n\r\n`;
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
    // A later answer would point elsewhere; the socket must not ask again.
    table['files.test'] = ['10.0.0.1'];

    assert.ok((await readAll(file.body)).equals(PAYLOAD));
    assert.deepEqual(lookup.calls, ['files.test']);
    assert.match(server.requests.at(-1) ?? '', new RegExp(`\\r\\nHost: files\\.test:${server.port}\\r\\n`));
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

    const failure = await expectFailure(source.open(server.url('/hop/6'), new AbortController().signal), 'SOURCE_INVALID');

    assert.match(failure.message, /more than 5 times \(maxRedirects=5\)/);
  });

  it('honours a lower maxRedirects', async () => {
    const source = new GuardedHttpSource({ ...LOCAL, maxRedirects: 0 });

    const failure = await expectFailure(source.open(server.url('/hop/1'), new AbortController().signal), 'SOURCE_INVALID');

    assert.match(failure.message, /maxRedirects=0/);
  });
});

describe('GuardedHttpSource size limits', { timeout: 10_000 }, () => {
  it('rejects a large Content-Length before reading', async () => {
    const server = await startRawServer((socket) => socket.write(head('Content-Length: 5000\r\n')));
    const names = { maxBytes: 'FILEFLOW_MAX_FILE_BYTES' };
    const source = new GuardedHttpSource({ ...LOCAL, maxBytes: 1000, limitSettingNames: names });

    const { result: failure, ms } = await timed(() =>
      expectFailure(source.open(server.url(), new AbortController().signal), 'SOURCE_TOO_LARGE'),
    );

    assert.match(failure.message, /Content-Length of 5000 bytes/);
    assert.match(failure.message, /\(FILEFLOW_MAX_FILE_BYTES=1000\)/);
    assert.equal(failure.retryable, false);
    assert.ok(ms < PROMPT_MS, `took ${ms} ms`);
    await server.close();
  });

  it('stops a chunked body at maxBytes', async () => {
    const server = await startHttpServer((_, response) => {
      for (let index = 0; index < 100; index += 1) response.write(PAYLOAD.subarray(0, 512));
      response.end();
    });
    const source = new GuardedHttpSource({ ...LOCAL, maxBytes: 10_000 });
    const file = await source.open(server.url(), new AbortController().signal);
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
    await server.close();
  });

  it('rejects bytes past Content-Length', async () => {
    const server = await startRawServer((socket) =>
      socket.end(`${head('Content-Length: 5\r\n')}helloEXTRA-BYTES`),
    );
    const source = new GuardedHttpSource(LOCAL);
    const file = await source.open(server.url(), new AbortController().signal);

    const failure = await expectFailure(readAll(file.body), 'SOURCE_INVALID');

    assert.match(failure.message, /invalid HTTP response/);
    await server.close();
  });

  it('rejects a body shorter than Content-Length', async () => {
    const server = await startRawServer((socket) => socket.end(`${head('Content-Length: 10\r\n')}hello`));
    const source = new GuardedHttpSource(LOCAL);
    const file = await source.open(server.url(), new AbortController().signal);

    const failure = await expectFailure(readAll(file.body), 'SOURCE_INTERRUPTED');

    assert.match(failure.message, /after 5 of 10 declared bytes/);
    assert.equal(failure.retryable, true);
    await server.close();
  });
});

describe('GuardedHttpSource misbehaving sources', { timeout: 10_000 }, () => {
  it('times out a stalled body', async () => {
    const server = await startRawServer((socket) =>
      socket.write(`${head('Content-Length: 1000\r\n')}first bytes`),
    );
    const source = new GuardedHttpSource({ ...LOCAL, idleTimeoutMs: 300 });
    const timersBefore = activeTimers();
    const file = await source.open(server.url(), new AbortController().signal);

    const { result: failure, ms } = await timed(() => expectFailure(readAll(file.body), 'SOURCE_TIMEOUT'));

    assert.match(failure.message, /sent no body bytes within 300 ms \(idleTimeoutMs=300\)/);
    assert.ok(ms < PROMPT_MS, `took ${ms} ms`);
    assert.equal(activeTimers(), timersBefore, 'a timer is still running');
    await server.close();
  });

  it('times out a trickling body', async () => {
    const server = await startRawServer((socket) => {
      socket.write(head('Content-Length: 100\r\n'));
      const timer = setInterval(() => socket.write('x'), 50);
      socket.on('close', () => clearInterval(timer));
    });
    const source = new GuardedHttpSource({ ...LOCAL, idleTimeoutMs: 1000, totalTimeoutMs: 600 });
    const file = await source.open(server.url(), new AbortController().signal);

    const { result: failure, ms } = await timed(() => expectFailure(readAll(file.body), 'SOURCE_TIMEOUT'));

    assert.match(failure.message, /did not finish within 600 ms \(totalTimeoutMs=600\)/);
    assert.ok(ms < PROMPT_MS, `took ${ms} ms`);
    await server.close();
  });

  it('times out missing response headers', async () => {
    const server = await startRawServer(() => {});
    const source = new GuardedHttpSource({ ...LOCAL, headersTimeoutMs: 300 });

    const { result: failure, ms } = await timed(() =>
      expectFailure(source.open(server.url(), new AbortController().signal), 'SOURCE_TIMEOUT'),
    );

    assert.match(failure.message, /no response headers within 300 ms \(headersTimeoutMs=300\)/);
    assert.ok(ms < PROMPT_MS, `took ${ms} ms`);
    await server.close();
  });

  it('times out a connect that hangs', async () => {
    // A socket whose own lookup never answers stays in the connecting state, with no network.
    const connect = (): net.Socket => net.connect({ host: 'hang.test', port: 9, lookup: () => {} });
    const source = new GuardedHttpSource({ ...LOCAL, connect, connectTimeoutMs: 200 });

    const { result: failure, ms } = await timed(() =>
      expectFailure(source.open('http://127.0.0.1:9/', new AbortController().signal), 'SOURCE_TIMEOUT'),
    );

    assert.match(failure.message, /connectTimeoutMs=200/);
    assert.ok(ms < PROMPT_MS, `took ${ms} ms`);
  });

  it('times out a DNS lookup that hangs', async () => {
    const lookup = (): Promise<never> => new Promise(() => {});
    const source = new GuardedHttpSource({ lookup, connect: recordingConnector(), connectTimeoutMs: 200 });

    const failure = await expectFailure(source.open('http://slow.test/', new AbortController().signal), 'SOURCE_TIMEOUT');

    assert.match(failure.message, /connection to slow\.test was not established within 200 ms/);
  });

  it('reports a reset at 50 percent', async () => {
    const server = await startRawServer((socket) => {
      socket.write(`${head('Content-Length: 2000\r\n')}${'x'.repeat(1000)}`, () => {
        setTimeout(() => socket.resetAndDestroy(), 50);
      });
    });
    const source = new GuardedHttpSource(LOCAL);
    const file = await source.open(server.url(), new AbortController().signal);

    const failure = await expectFailure(readAll(file.body), 'SOURCE_INTERRUPTED');

    assert.equal(failure.retryable, true);
    assert.match(failure.message, /of 2000 declared bytes/);
    await server.close();
  });

  it('reports an HTTP 404 as permanent', async () => {
    const server = await startHttpServer((_, response) => response.writeHead(404).end('missing'));
    const source = new GuardedHttpSource(LOCAL);

    const failure = await expectFailure(
      source.open(server.url('/gone?signature=s3cr3t'), new AbortController().signal),
      'SOURCE_HTTP_ERROR',
    );

    assert.equal(failure.httpStatus, 404);
    assert.equal(failure.retryable, false);
    assert.ok(!failure.message.includes('s3cr3t'), failure.message);
    await server.close();
  });

  for (const status of [408, 429, 500, 503]) {
    it(`reports an HTTP ${status} as retryable`, async () => {
      const server = await startHttpServer((_, response) => response.writeHead(status).end());
      const source = new GuardedHttpSource(LOCAL);

      const failure = await expectFailure(source.open(server.url(), new AbortController().signal), 'SOURCE_HTTP_ERROR');

      assert.equal(failure.httpStatus, status);
      assert.equal(failure.retryable, true);
      await server.close();
    });
  }

  it('reports a refused connection as retryable', async () => {
    const port = await closedPort();
    const source = new GuardedHttpSource(LOCAL);

    const failure = await expectFailure(
      source.open(`http://127.0.0.1:${port}/`, new AbortController().signal),
      'SOURCE_UNREACHABLE',
    );

    assert.equal(failure.retryable, true);
    assert.match(failure.message, /ECONNREFUSED/);
  });

  it('reports a garbage response as invalid', async () => {
    const server = await startRawServer((socket) => socket.end('NOT HTTP AT ALL\r\n\r\n'));
    const source = new GuardedHttpSource(LOCAL);

    await expectFailure(source.open(server.url(), new AbortController().signal), 'SOURCE_INVALID');
    await server.close();
  });

  it('reports a temporary DNS failure as retryable', async () => {
    const lookup = async (): Promise<never> => {
      throw Object.assign(new Error('getaddrinfo EAI_AGAIN files.test'), { code: 'EAI_AGAIN' });
    };
    const source = new GuardedHttpSource({ lookup, connect: recordingConnector() });

    const failure = await expectFailure(source.open('http://files.test/', new AbortController().signal), 'SOURCE_UNREACHABLE');

    assert.match(failure.message, /DNS lookup of files\.test failed \(EAI_AGAIN\)/);
  });

  it('reports an unknown host as permanent', async () => {
    const source = new GuardedHttpSource({ lookup: recordingLookup({}), connect: recordingConnector() });

    const failure = await expectFailure(source.open('http://nowhere.test/', new AbortController().signal), 'SOURCE_INVALID');

    assert.match(failure.message, /nowhere\.test was not found in DNS \(ENOTFOUND\)/);
  });

  it('rejects a connection to an unchecked address', async () => {
    // A connector that ignores the checked address stands in for a swapped DNS answer.
    const server = await startRawServer(() => {});
    const lookup = recordingLookup({ 'public.test': ['8.8.8.8'] });
    const connect = (): net.Socket => net.connect({ host: '127.0.0.1', port: server.port });
    const source = new GuardedHttpSource({ lookup, connect });

    const failure = await expectFailure(source.open('http://public.test/', new AbortController().signal), 'SOURCE_BLOCKED');

    assert.match(failure.message, /127\.0\.0\.1 is in the loopback range/);
    assert.deepEqual(server.requests, [], 'request bytes reached the unchecked address');
    await server.close();
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

    const { result: failure, ms } = await timed(() => expectFailure(readAll(file.body), 'SOURCE_INTERRUPTED'));

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

    await expectFailure(source.open('http://files.test/', AbortSignal.abort()), 'SOURCE_INTERRUPTED');

    assert.deepEqual(lookup.calls, []);
    assert.deepEqual(connect.targets, []);
  });

  it('closes the connection on return', async () => {
    const source = new GuardedHttpSource(LOCAL);
    const closedBefore = closedSockets;
    const file = await source.open(server.url(), new AbortController().signal);

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
      source.open(`https://127.0.0.1:${port}/`, new AbortController().signal),
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

    const file = await source.open(`https://files.test:${port}/`, new AbortController().signal);

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
