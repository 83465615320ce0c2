import { InvalidValueError } from '../errors/domain-error.ts';

/** Settings of the retry policy; delays are in milliseconds. */
export interface RetryPolicySettings {
  /** Retries after the first attempt. */
  maxRetries: number;
  baseDelayMs: number;
  /** Growth of the delay from one retry to the next. */
  factor: number;
  maxDelayMs: number;
  /** Share of each delay, from 0 to 1, that is randomised so retries do not arrive together. */
  jitter: number;
}

/** Decision after a failed attempt. */
export type RetryDecision = { kind: 'retry'; delayMs: number } | { kind: 'give-up'; reason: string };

/** Default settings: 3 retries after 1 s, 2 s and 4 s, each up to 20 % shorter. */
export const DEFAULT_RETRY_SETTINGS: RetryPolicySettings = {
  maxRetries: 3,
  baseDelayMs: 1_000,
  factor: 2,
  maxDelayMs: 60_000,
  jitter: 0.2,
};

/** Exponential backoff with jitter and a retry budget; decides retry-or-give-up. */
export class RetryPolicy {
  readonly settings: Readonly<RetryPolicySettings>;

  constructor(settings: Partial<RetryPolicySettings> = {}) {
    this.settings = { ...DEFAULT_RETRY_SETTINGS, ...settings };
    validate(this.settings);
  }

  /**
   * Decides what follows failed attempt number `attempt` (the first attempt is 1).
   * `random` returns a number in [0, 1) and only shapes the jitter.
   */
  decide(attempt: number, retryable: boolean, random: () => number): RetryDecision {
    if (!retryable) return { kind: 'give-up', reason: 'the error is permanent' };
    const retriesUsed = attempt - 1;
    if (retriesUsed >= this.settings.maxRetries) {
      return { kind: 'give-up', reason: `all ${this.settings.maxRetries} retries were used` };
    }
    return { kind: 'retry', delayMs: this.delayBefore(attempt + 1, random) };
  }

  /** Delay before attempt number `attempt` (2 or more), jitter included. */
  delayBefore(attempt: number, random: () => number): number {
    const { baseDelayMs, factor, maxDelayMs, jitter } = this.settings;
    const exponential = baseDelayMs * factor ** Math.max(0, attempt - 2);
    const capped = Math.min(maxDelayMs, exponential);
    return Math.round(capped * (1 - jitter * random()));
  }
}

function validate(settings: RetryPolicySettings): void {
  const { maxRetries, baseDelayMs, factor, maxDelayMs, jitter } = settings;
  requireThat(Number.isInteger(maxRetries) && maxRetries >= 0, 'maxRetries', maxRetries, 'an integer of 0 or more');
  requireThat(baseDelayMs >= 0, 'baseDelayMs', baseDelayMs, 'a number of 0 or more');
  requireThat(factor >= 1, 'factor', factor, 'a number of 1 or more');
  requireThat(maxDelayMs >= baseDelayMs, 'maxDelayMs', maxDelayMs, `at least baseDelayMs (${baseDelayMs})`);
  requireThat(jitter >= 0 && jitter <= 1, 'jitter', jitter, 'a number from 0 to 1');
}

function requireThat(ok: boolean, field: string, value: number, expected: string): void {
  if (!ok) throw new InvalidValueError(field, `invalid retry ${field} ${value}: use ${expected}`);
}
