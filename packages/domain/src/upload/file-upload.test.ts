import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IllegalTransitionError } from '../errors/domain-error.ts';
import { UploadFailure } from '../errors/upload-failure.ts';
import { FileUpload } from './file-upload.ts';
import { ALLOWED_TRANSITIONS, UPLOAD_STATUSES, canTransition } from './upload-status.ts';

const now = new Date('2026-01-01T00:00:00Z');
const later = (ms: number) => new Date(now.getTime() + ms);
const stored = { etag: 'e', size: 3, sha256: 'abc', contentType: 'image/jpeg' };
const failure = new UploadFailure('SOURCE_TIMEOUT', 'source timed out');

function uploadIn(status: string): FileUpload {
  const upload = FileUpload.request(
    { id: 'u1', fileUrl: 'https://example.com/a.jpg', bucketName: 'b', objectName: 'a.jpg' },
    now,
  );
  if (status === 'pending') return upload;
  upload.startAttempt(now, 1_000);
  if (status === 'completed') upload.complete(stored, now);
  if (status === 'failed') upload.fail(failure, now);
  return upload;
}

describe('upload status table', () => {
  const expected: Array<[string, string, boolean]> = [];
  for (const from of UPLOAD_STATUSES) {
    for (const to of UPLOAD_STATUSES) {
      expected.push([from, to, ALLOWED_TRANSITIONS[from].includes(to)]);
    }
  }

  it('allows exactly the listed moves', () => {
    assert.equal(canTransition('pending', 'processing'), true);
    assert.equal(canTransition('completed', 'pending'), false);
    assert.equal(canTransition('failed', 'pending'), true);
    assert.equal(canTransition('pending', 'completed'), false);
    assert.equal(expected.filter(([, , allowed]) => allowed).length, 6);
  });
});

describe('FileUpload', () => {
  const moves: Array<[string, (u: FileUpload) => void, string]> = [
    ['startAttempt', (u) => u.startAttempt(later(5_000), 1_000), 'processing'],
    ['complete', (u) => u.complete(stored, now), 'completed'],
    ['scheduleRetry', (u) => u.scheduleRetry(failure, now, later(1)), 'pending'],
    ['fail', (u) => u.fail(failure, now), 'failed'],
    ['replay', (u) => u.replay(now), 'pending'],
  ];
  for (const from of UPLOAD_STATUSES) {
    for (const [name, move, to] of moves) {
      const allowed = canTransition(from, to as never);
      it(`${name} from ${from} ${allowed ? 'moves' : 'is rejected'}`, () => {
        const upload = uploadIn(from);
        if (allowed) {
          move(upload);
          assert.equal(upload.status, to);
        } else {
          assert.throws(() => move(upload), IllegalTransitionError);
          assert.equal(upload.status, from);
        }
      });
    }
  }

  it('starts pending with attempt 1', () => {
    const upload = uploadIn('pending');
    assert.equal(upload.status, 'pending');
    assert.equal(upload.attempt, 1);
    assert.equal(upload.storedVersionNumber, 0);
  });

  it('rejects a takeover while the lease is live', () => {
    const upload = uploadIn('processing');
    assert.throws(() => upload.startAttempt(later(999), 1_000), { code: 'ILLEGAL_TRANSITION' });
  });

  it('allows a takeover after the lease expires', () => {
    const upload = uploadIn('processing');
    upload.startAttempt(later(1_000), 1_000);
    assert.equal(upload.snapshot().leaseExpiresAt?.getTime(), later(2_000).getTime());
  });

  it('counts retries and keeps the first failure time', () => {
    const upload = uploadIn('processing');
    upload.scheduleRetry(failure, later(10), later(100));
    upload.startAttempt(later(100), 1_000);
    upload.scheduleRetry(failure, later(200), later(300));
    const props = upload.snapshot();
    assert.equal(props.retryCount, 2);
    assert.equal(upload.attempt, 3);
    assert.equal(props.firstFailedAt?.getTime(), later(10).getTime());
    assert.equal(props.nextAttemptAt?.getTime(), later(300).getTime());
    assert.deepEqual(props.lastError, {
      code: 'SOURCE_TIMEOUT',
      failureClass: 'retryable',
      message: 'source timed out',
    });
  });

  it('records the stored object on completion', () => {
    const upload = uploadIn('completed');
    const props = upload.snapshot();
    assert.equal(props.etag, 'e');
    assert.equal(props.size, 3);
    assert.equal(props.contentType, 'image/jpeg');
    assert.equal(props.leaseExpiresAt, null);
  });

  it('replay clears the retry budget and error', () => {
    const upload = uploadIn('processing');
    upload.scheduleRetry(failure, now, later(1));
    upload.startAttempt(later(1), 1_000);
    upload.fail(failure, later(2));
    upload.replay(later(3));
    const props = upload.snapshot();
    assert.equal(props.retryCount, 0);
    assert.equal(props.lastError, null);
    assert.equal(props.firstFailedAt, null);
  });

  it('bumps the version on every move', () => {
    const upload = uploadIn('pending');
    upload.startAttempt(now, 1_000);
    upload.complete(stored, now);
    assert.equal(upload.snapshot().version, 3);
  });
});
