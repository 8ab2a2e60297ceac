/** The library's retry policy with near-zero backoff, so that tests full of faults stay quick. */
export const FAST_RETRY = { retries: 5, minDelayMs: 1, maxDelayMs: 5 };
