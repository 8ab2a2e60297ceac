// The one place a failed call is tried again: p-retry, asking the decision table (decisions.ts)
// after every failed attempt. Every attempt of a call shares the call's one time limit
// (maxRetryTime); cancellation ends a backoff at once with our AbortError. A dead ticket leads to
// one new login and one repeat inside the attempt, so that it is never refused for want of retries.
import pRetry from 'p-retry';
import { AbortError, TimeoutError, type SrvError } from '../errors.js';
import { decide, type Decision, type Lesson, type ServerKnowledge, type Step, type StepFacts } from './decisions.js';
import { classify, type Failure } from './failures.js';
import type { RetryOptions } from './retry-options.js';
import { publishRetry } from '../tracing/channels.js';

export { retryOptionsOf, type RetryOptions } from './retry-options.js';

/** How one call is tried. */
export interface RetryPlan {
  readonly step: Step;
  readonly idempotent: boolean;
  readonly options: Required<RetryOptions>;
  /** The time the call may take, all its attempts and backoffs included. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
  readonly canRelogin: boolean;
  /** What is known of the server, read at each failure. */
  readonly server: ServerKnowledge;
  /** What the step knows of itself, read at each failure. */
  readonly facts?: (() => StepFacts) | undefined;
}

/** What the caller of the retry site does for it: a new login, what a decision taught about the server, a resend about to be made. */
export interface RetryHooks {
  relogin(failure: Failure): Promise<void>;
  learn(lesson: Lesson): void;
  resending(failure: Failure, decision: Decision, retry: number): void;
}

/**
 * A call's outcome: its value, or the failure that ended it and what the table decided of it;
 * `failures`, every failed attempt, the last included, in order.
 */
export type CallOutcome<T> =
  | { readonly ok: true; readonly value: T; readonly failures: readonly Failure[] }
  | { readonly ok: false; readonly failure: Failure; readonly decision: Decision; readonly failures: readonly Failure[] };

/** `attempt(timeoutMs)`: one try, within the time left of the call. */
export async function withRetries<T>(attempt: (timeoutMs: number) => Promise<T>, plan: RetryPlan, hooks: RetryHooks): Promise<CallOutcome<T>> {
  const started = performance.now();
  const left = () => plan.timeoutMs - (performance.now() - started);
  const failures: Failure[] = [];
  const earlier = () => failures.map((failure) => failure.kind);
  let last: { failure: Failure; decision: Decision } | undefined;
  const judge = (failure: Failure, canResend: boolean): Decision =>
    decide(plan.step, failure, { ...plan.facts?.(), earlier: earlier(), canResend, canRelogin: plan.canRelogin, idempotent: plan.idempotent, server: plan.server });

  const once = async (): Promise<T> => {
    if (left() <= 0) throw last?.failure.error ?? timedOut(plan);
    try {
      return await attempt(left());
    } catch (error) {
      const failure = classify(error);
      if (judge(failure, false).action !== 'relogin') throw failure.error;
      failures.push(failure);
      await hooks.relogin(failure);
      return attempt(Math.max(left(), 1));
    }
  };

  try {
    const value = await pRetry(once, {
      retries: plan.options.retries,
      minTimeout: plan.options.minDelayMs,
      maxTimeout: plan.options.maxDelayMs,
      factor: 2,
      randomize: true,
      maxRetryTime: plan.timeoutMs,
      signal: plan.signal,
      onFailedAttempt: ({ error, retriesLeft, retriesConsumed }) => {
        const failure = classify(error);
        // A resend that would start past the call's time limit is not made.
        const decision = judge(failure, retriesLeft > 0 && left() > plan.options.minDelayMs);
        failures.push(failure);
        last = { failure, decision };
        if (decision.learn) hooks.learn(decision.learn);
        if (decision.action === 'resend') {
          publishRetry(() => ({ kind: 'retry', reason: failure.kind, message: failure.error.message, operation: failure.error.operation, attempt: retriesConsumed + 1 }));
          hooks.resending(failure, decision, retriesConsumed + 1);
        }
      },
      shouldRetry: () => last?.decision.action === 'resend',
    });
    return { ok: true, value, failures };
  } catch (error) {
    if (last && last.failure.error === error) return { ok: false, ...last, failures };
    const failure = classify(plan.signal?.aborted && !(error instanceof AbortError) ? new AbortError(plan.signal.reason) : error);
    const decision = judge(failure, false);
    failures.push(failure);
    return { ok: false, failure, decision, failures };
  }
}

function timedOut(plan: RetryPlan): SrvError {
  return new TimeoutError(`no reply within ${Math.round(plan.timeoutMs)} ms`, { mayHaveReachedServer: false });
}
