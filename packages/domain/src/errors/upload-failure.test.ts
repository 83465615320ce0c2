import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UploadFailure, classifyHttpStatus } from './upload-failure.ts';

describe('classifyHttpStatus', () => {
  const cases: Array<[number, string]> = [
    [400, 'permanent'],
    [403, 'permanent'],
    [404, 'permanent'],
    [408, 'retryable'],
    [410, 'permanent'],
    [429, 'retryable'],
    [500, 'retryable'],
    [503, 'retryable'],
    [599, 'retryable'],
  ];
  for (const [status, expected] of cases) {
    it(`treats ${status} as ${expected}`, () => {
      assert.equal(classifyHttpStatus(status), expected);
    });
  }
});

describe('UploadFailure', () => {
  const cases: Array<[ConstructorParameters<typeof UploadFailure>[0], boolean]> = [
    ['SOURCE_UNREACHABLE', true],
    ['SOURCE_TIMEOUT', true],
    ['SOURCE_INTERRUPTED', true],
    ['SOURCE_TOO_LARGE', false],
    ['SOURCE_BLOCKED', false],
    ['SOURCE_INVALID', false],
    ['STORAGE_UNAVAILABLE', true],
    ['STORAGE_REJECTED', false],
    ['DATABASE_UNAVAILABLE', true],
    ['MESSAGE_INVALID', false],
    ['INTERNAL', true],
  ];
  for (const [code, retryable] of cases) {
    it(`${code} is ${retryable ? 'retryable' : 'permanent'}`, () => {
      assert.equal(new UploadFailure(code, 'x').retryable, retryable);
    });
  }

  it('classifies an HTTP failure by status', () => {
    assert.equal(UploadFailure.httpStatus(503, 'http://s/a').retryable, true);
    assert.equal(UploadFailure.httpStatus(404, 'http://s/a').retryable, false);
    assert.match(UploadFailure.httpStatus(404, 'http://s/a').message, /HTTP 404/);
  });

  it('wraps unknown errors as retryable internal failures', () => {
    const wrapped = UploadFailure.unexpected(new TypeError('boom'));
    assert.equal(wrapped.code, 'INTERNAL');
    assert.equal(wrapped.retryable, true);
    assert.match(wrapped.message, /boom/);
  });

  it('passes an UploadFailure through unchanged', () => {
    const original = new UploadFailure('SOURCE_BLOCKED', 'blocked');
    assert.equal(UploadFailure.unexpected(original), original);
  });
});
