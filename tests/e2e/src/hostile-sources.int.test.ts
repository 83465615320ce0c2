import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { submit, waitForFinal } from './support/api-client.ts';
import { ScriptedFileServer, type Reply } from './support/file-server.ts';
import { readObject } from './support/storage.ts';
import { storageClient } from './support/storage.ts';
import { TestSystem } from './support/system.ts';

const LIMIT = 64 * 1024;

/** A source that writes raw bytes on the socket, so it can break HTTP framing. */
function raw(write: (socket: import('node:net').Socket) => void): Reply {
  return (req) => write(req.socket);
}

describe('misbehaving sources through the pipeline', () => {
  const system = new TestSystem({
    all: {
      FILEFLOW_MAX_FILE_BYTES: String(LIMIT),
      FILEFLOW_IDLE_TIMEOUT_MS: '1000',
      FILEFLOW_TOTAL_TIMEOUT_MS: '3000',
      FILEFLOW_RETRY_MAX: '1',
      FILEFLOW_RETRY_BASE_DELAY_MS: '100',
    },
  });
  const files = new ScriptedFileServer();
  const bucket = 'hostile';

  before(async () => {
    await files.start();
    await system.start();
  });

  after(async () => {
    await system.stop();
    await files.stop();
  });

  async function objectExists(key: string): Promise<boolean> {
    return storageClient().statObject(bucket, key).then(() => true, () => false);
  }

  const cases: Array<{ name: string; reply: Reply; status: string; code: RegExp; message: RegExp }> = [
    {
      name: 'a body longer than its Content-Length',
      reply: raw((s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\n0123456789')),
      status: 'failed',
      code: /SOURCE_INVALID|SOURCE_INTERRUPTED/,
      message: /Content-Length|length/i,
    },
    {
      name: 'a chunked body past the size limit',
      reply: (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        for (let i = 0; i < 20; i += 1) res.write(Buffer.alloc(8 * 1024, i));
        res.end();
      },
      status: 'failed',
      code: /SOURCE_TOO_LARGE/,
      message: /FILEFLOW_MAX_FILE_BYTES=65536/,
    },
    {
      name: 'a declared length past the size limit',
      reply: { status: 200, body: Buffer.alloc(LIMIT + 1) },
      status: 'failed',
      code: /SOURCE_TOO_LARGE/,
      message: /FILEFLOW_MAX_FILE_BYTES=65536/,
    },
    {
      name: 'a source that stalls after the headers',
      reply: (_req, res) => {
        res.writeHead(200, { 'content-length': '100' });
        res.write('x');
      },
      status: 'failed',
      code: /SOURCE_TIMEOUT/,
      message: /FILEFLOW_IDLE_TIMEOUT_MS=1000/,
    },
    {
      name: 'a source that sends a byte a second',
      reply: (_req, res) => {
        res.writeHead(200, { 'content-length': '100' });
        const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write('x')), 900);
      },
      status: 'failed',
      code: /SOURCE_TIMEOUT/,
      message: /FILEFLOW_TOTAL_TIMEOUT_MS=3000/,
    },
    {
      name: 'a reset at half the body',
      reply: raw((s) => {
        s.write('HTTP/1.1 200 OK\r\nContent-Length: 20000\r\n\r\n');
        s.write(Buffer.alloc(10_000, 1), () => s.resetAndDestroy());
      }),
      status: 'failed',
      code: /SOURCE_INTERRUPTED/,
      message: /.+/,
    },
  ];

  for (const [index, testCase] of cases.entries()) {
    it(`fails ${testCase.name} and stores nothing`, async () => {
      const key = `case-${index}.bin`;
      const url = files.route(`/hostile-${index}`, testCase.reply);
      const started = Date.now();
      const { json } = await submit(system.apiUrl, { file_url: url, bucket_name: bucket, object_name: key });
      const upload = await waitForFinal(system.apiUrl, String(json.id), 30_000);
      assert.equal(upload.status, testCase.status);
      assert.match(upload.last_error?.code ?? '', testCase.code);
      assert.match(upload.last_error?.message ?? '', testCase.message);
      assert.ok(Date.now() - started < 20_000, 'the attempt did not end promptly');
      assert.equal(await objectExists(key), false);
    });
  }

  it('stores a gzip response as the bytes served', async () => {
    const compressed = gzipSync(Buffer.from('hello '.repeat(1000)));
    const url = files.route('/gzip', {
      status: 200,
      body: compressed,
      headers: { 'content-encoding': 'gzip', 'content-type': 'text/plain' },
    });
    const { json } = await submit(system.apiUrl, { file_url: url, bucket_name: bucket, object_name: 'gzip.txt' });
    const upload = await waitForFinal(system.apiUrl, String(json.id));
    assert.equal(upload.status, 'completed');
    assert.equal(upload.size, compressed.length);
    assert.deepEqual(await readObject(bucket, 'gzip.txt'), compressed);
  });

  it('rejects a loopback source with the guard on', async () => {
    const guarded = new TestSystem({ consumer: { FILEFLOW_ALLOW_PRIVATE_NETWORKS: '' } });
    await guarded.start(['api', 'consumer']);
    try {
      const url = files.route('/guarded', { status: 200, body: 'secret' });
      const { json } = await submit(guarded.apiUrl, { file_url: url, bucket_name: bucket, object_name: 'g.txt' });
      const upload = await waitForFinal(guarded.apiUrl, String(json.id));
      assert.equal(upload.status, 'failed');
      assert.equal(upload.last_error?.code, 'SOURCE_BLOCKED');
      assert.match(upload.last_error?.message ?? '', /127\.0\.0\.1/);
      assert.equal(files.hits.get('/guarded'), undefined);
    } finally {
      await guarded.stop();
    }
  });
});
