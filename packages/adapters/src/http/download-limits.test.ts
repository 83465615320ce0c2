import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_LIMITS, formatBytes, Limits } from './download-limits.ts';

describe('Limits', () => {
  it('applies the defaults', () => {
    const limits = new Limits();

    assert.deepEqual(limits.values, DEFAULT_LIMITS);
    assert.equal(limits.values.maxBytes, 5 * 1024 ** 3);
    assert.equal(limits.values.maxRedirects, 5);
  });

  it('cites option or setting names', () => {
    const limits = new Limits({ maxBytes: 100 }, { maxBytes: 'FILEFLOW_MAX_FILE_BYTES' });

    assert.equal(limits.cite('maxBytes'), 'FILEFLOW_MAX_FILE_BYTES=100');
    assert.equal(limits.cite('idleTimeoutMs'), 'idleTimeoutMs=30000');
  });

  it('allows zero redirects', () => {
    assert.equal(new Limits({ maxRedirects: 0 }).values.maxRedirects, 0);
  });

  const invalid: Array<[string, Record<string, number>]> = [
    ['zero bytes', { maxBytes: 0 }],
    ['fractional timeout', { idleTimeoutMs: 1.5 }],
    ['negative redirects', { maxRedirects: -1 }],
    ['timer overflow', { totalTimeoutMs: 2 ** 31 }],
    ['NaN', { connectTimeoutMs: Number.NaN }],
  ];
  for (const [name, overrides] of invalid) {
    it(`rejects ${name}`, () => {
      assert.throws(() => new Limits(overrides), RangeError);
    });
  }
});

describe('formatBytes', () => {
  it('uses binary units', () => {
    assert.equal(formatBytes(5 * 1024 ** 3), '5 GiB');
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(formatBytes(10 * 1024 ** 2), '10 MiB');
    assert.equal(formatBytes(512), '512 bytes');
  });
});
