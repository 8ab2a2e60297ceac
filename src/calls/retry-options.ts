// The options of the retry site (retry.ts), as a session takes them in `retry`.
import { InvalidArgumentError } from '../errors.js';
import { settle, type OptionTable } from '../util/options.js';

export interface RetryOptions {
  /**
   * Retries after the first attempt of a call that the decision table lets be repeated.
   * @default 5
   */
  retries?: number;
  /**
   * The first backoff delay in ms; each next one doubles, with jitter, up to maxDelayMs.
   * @default 250
   */
  minDelayMs?: number;
  /**
   * The longest backoff delay in ms.
   * @default 8000
   */
  maxDelayMs?: number;
}

export const RETRY_OPTIONS = {
  retries: { default: 5, whole: true, min: 0, summary: 'retries after the first attempt of a call that may be repeated' },
  minDelayMs: { default: 250, min: 0, unit: 'ms', summary: 'the first backoff delay; each next one doubles, with jitter' },
  maxDelayMs: { default: 8_000, min: 0, unit: 'ms', summary: 'the longest backoff delay' },
} as const satisfies OptionTable<RetryOptions>;

/** The retry options, checked, with their defaults. */
export function retryOptionsOf(options: RetryOptions | undefined): Required<RetryOptions> {
  const settled = settle(RETRY_OPTIONS, options ?? {}, 'retry.');
  if (settled.maxDelayMs < settled.minDelayMs) throw new InvalidArgumentError('retry.maxDelayMs', `must be ≥ minDelayMs (${settled.minDelayMs}), not ${settled.maxDelayMs}`);
  return settled;
}
