// Bounded retries with exponential backoff and jitter (p-retry), for failures the caller has
// judged safe to repeat. Cancellation ends the wait at once with our AbortError.
import pRetry from 'p-retry';
import { AbortError } from '../errors.js';
import type { RetryOptions } from './retry-options.js';

export { retryOptionsOf, type RetryOptions } from './retry-options.js';

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
