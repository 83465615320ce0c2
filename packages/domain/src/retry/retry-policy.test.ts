import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidValueError } from '../errors/domain-error.ts';
import { RetryPolicy } from './retry-policy.ts';

const noJitter = () => 0;

describe('RetryPolicy', () => {
  describe('with defaults', () => {
    const policy = new RetryPolicy();

    it('retries attempts 1 to 3', () => {
      for (const attempt of [1, 2, 3]) {
        assert.equal(policy.decide(attempt, true, noJitter).kind, 'retry');
      }
    });

    it('gives up after attempt 4', () => {
      const decision = policy.decide(4, true, noJitter);
      assert.deepEqual(decision, { kind: 'give-up', reason: 'all 3 retries were used' });
    });

    it('gives up at once on a permanent error', () => {
      assert.equal(policy.decide(1, false, noJitter).kind, 'give-up');
    });

    it('doubles the delay from 1 s', () => {
      const delays = [1, 2, 3].map((attempt) => policy.decide(attempt, true, noJitter));
      assert.deepEqual(
        delays.map((d) => (d.kind === 'retry' ? d.delayMs : -1)),
        [1_000, 2_000, 4_000],
      );
    });

    it('shortens a delay by at most the jitter share', () => {
      assert.equal(policy.delayBefore(2, () => 0.999_999), 800);
      assert.equal(policy.delayBefore(2, () => 0.5), 900);
    });
  });

  describe('with custom settings', () => {
    it('caps the delay at the maximum', () => {
      const policy = new RetryPolicy({ maxRetries: 10, baseDelayMs: 100, factor: 10, maxDelayMs: 5_000 });
      assert.equal(policy.delayBefore(5, noJitter), 5_000);
    });

    it('never retries with a budget of 0', () => {
      assert.equal(new RetryPolicy({ maxRetries: 0 }).decide(1, true, noJitter).kind, 'give-up');
    });

    const invalid: Array<[string, object]> = [
      ['negative retries', { maxRetries: -1 }],
      ['fractional retries', { maxRetries: 1.5 }],
      ['factor below 1', { factor: 0.5 }],
      ['maximum below base', { baseDelayMs: 10, maxDelayMs: 5 }],
      ['jitter above 1', { jitter: 2 }],
    ];
    for (const [name, settings] of invalid) {
      it(`rejects ${name}`, () => {
        assert.throws(() => new RetryPolicy(settings), InvalidValueError);
      });
    }
  });
});
