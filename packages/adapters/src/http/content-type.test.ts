import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { parseContentType, sniffContentType } from './content-type.ts';

describe('parseContentType', () => {
  const cases: Array<[string | undefined, string | null]> = [
    ['text/plain', 'text/plain'],
    ['Text/HTML', 'text/html'],
    ['text/plain; charset=UTF-8', 'text/plain; charset=UTF-8'],
    ['application/json;charset="utf-8"', 'application/json;charset="utf-8"'],
    ['multipart/mixed; boundary="a \\"b\\" c"', 'multipart/mixed; boundary="a \\"b\\" c"'],
    ['application/vnd.api+json', 'application/vnd.api+json'],
    ['  image/png  ', 'image/png'],
    ['text/plain;', 'text/plain;'],
    [undefined, null],
    ['', null],
    ['text', null],
    ['text/', null],
    ['/plain', null],
    ['text/plain; charset', null],
    ['text/plain; charset="unterminated', null],
    ['text/pl ain', null],
    ['text/plain\r\nX-Injected: 1', null],
    ['tëxt/plain', null],
  ];
  for (const [header, expected] of cases) {
    it(`parses ${JSON.stringify(header)}`, () => {
      assert.equal(parseContentType(header), expected);
    });
  }

  it('handles a hostile header quickly', () => {
    const header = `a/b${'; '.repeat(5000)}x`;
    const started = performance.now();

    assert.equal(parseContentType(header), null);
    assert.ok(performance.now() - started < 100);
  });
});

describe('sniffContentType', () => {
  it('detects a PNG signature', async () => {
    // Signature, then the length and type of the first chunk, which file-type also reads.
    const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
    const png = Uint8Array.from([...signature, 0, 0, 0, 13, ...Buffer.from('IHDR')]);

    assert.equal(await sniffContentType(png), 'image/png');
  });

  it('detects gzip bytes', async () => {
    assert.equal(await sniffContentType(gzipSync('hello')), 'application/gzip');
  });

  it('returns null for unknown bytes', async () => {
    assert.equal(await sniffContentType(new TextEncoder().encode('plain words')), null);
  });
});
