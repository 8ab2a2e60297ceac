// Bounded retries with exponential backoff and jitter (p-retry), for failures the caller has
// judged safe to repeat. Cancellation ends the wait at once with our AbortError.
import pRetry from 'p-retry';
import { AbortError, InvalidArgumentError } from '../errors.js';

export interface RetryOptions {
  /** Retries after the first attempt (default 5). */
  retries?: number;
  /** The first backoff delay (default 250 ms); each next one doubles, up to maxDelayMs. */
  minDelayMs?: number;
  /** The longest backoff delay (default 8 s). */
  maxDelayMs?: number;
}

export const DEFAULT_RETRY: Required<RetryOptions> = { retries: 5, minDelayMs: 250, maxDelayMs: 8_000 };

export function retryOptionsOf(options: RetryOptions | undefined): Required<RetryOptions> {
  const merged = { ...DEFAULT_RETRY, ...options };
  if (!Number.isInteger(merged.retries) || merged.retries < 0) throw new InvalidArgumentError('retry.retries', 'must be a whole number ≥ 0');
  if (!(merged.minDelayMs >= 0) || !(merged.maxDelayMs >= merged.minDelayMs)) throw new InvalidArgumentError('retry', 'needs 0 ≤ minDelayMs ≤ maxDelayMs');
  return merged;
}

export interface RetryPlan {
  options: Required<RetryOptions>;
  signal?: AbortSignal | undefined;
  /** Whether this failure may be repeated. */
  canRetry: (error: unknown) => boolean;
  /** Told of each failure that will be retried: the retry's number, from 1 to options.retries. */
  onRetry?: (error: unknown, retry: number) => void;
}

export async function withRetries<T>(attempt: () => Promise<T>, plan: RetryPlan): Promise<T> {
  try {
    return await pRetry(attempt, {
      retries: plan.options.retries,
      minTimeout: plan.options.minDelayMs,
      maxTimeout: plan.options.maxDelayMs,
      factor: 2,
      randomize: true,
      signal: plan.signal,
      shouldRetry: ({ error, attemptNumber }) => {
        const retry = !(error instanceof AbortError) && plan.canRetry(error);
        if (retry) plan.onRetry?.(error, attemptNumber);
        return retry;
      },
    });
  } catch (error) {
    if (plan.signal?.aborted && !(error instanceof AbortError)) throw new AbortError(plan.signal.reason);
    throw error;
  }
}
