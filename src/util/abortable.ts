import { AbortError } from '../errors.js';

/** `work`, or an AbortError as soon as `signal` fires; the work itself goes on, for whoever else awaits it. */
export function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined, operation?: string): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(new AbortError(signal.reason, operation));
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new AbortError(signal.reason, operation));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
