// The one place a failed call is tried again: p-retry, asking the decision table (decisions.ts)
// after every failed attempt. Every attempt of a call shares the call's one time limit
// (maxRetryTime); cancellation ends a backoff at once with our AbortError. A dead ticket leads to
// one new login and one repeat inside the attempt, so that it is never refused for want of retries.
import pRetry from 'p-retry';
import { AbortError, TimeoutError, type SrvError } from '../errors.js';
import { decide, type Decision, type Lesson, type ServerKnowledge, type Step, type StepFacts } from './decisions.js';
import { classify, type Failure, type FailureKinds } from './failures.js';
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
  /** How the step's earlier sends failed, before this call's attempts. */
  readonly earlier?: FailureKinds | undefined;
  /** Whether the caller lets a resend or new login the table decided be made (SessionOptions.shouldRetry); `attempt`: the failed one's number, from 1. */
  readonly consents: (error: SrvError, attempt: number, decision: Decision) => boolean;
}

/** What the caller of the retry site does for it: a new login, what a decision taught about the server, a resend about to be made. */
export interface RetryHooks {
  relogin(failure: Failure): Promise<void>;
  learn(lesson: Lesson): void;
  /** `retry`: the resend's number; `attempt`: the failed attempt's, from 1. */
  resending(failure: Failure, decision: Decision, retry: number, attempt: number): void;
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
  const earlier = () => [...(plan.earlier ?? []), ...failures.map((failure) => failure.kind)];
  let last: { failure: Failure; decision: Decision } | undefined;
  /** A new login the caller declined, judged where it was to be made. */
  let refused: { failure: Failure; decision: Decision } | undefined;
  const judge = (failure: Failure, canResend: boolean): Decision =>
    decide(plan.step, failure, { ...plan.facts?.(), earlier: earlier(), canResend, canRelogin: plan.canRelogin, idempotent: plan.idempotent, server: plan.server });
  // The caller may decline the retry the table decided, never ask for one: asked after the failure is counted.
  const consented = (failure: Failure, decision: Decision): Decision =>
    (plan.consents(failure.error, failures.length, decision) ? decision : declined(decision));

  const once = async (): Promise<T> => {
    if (left() <= 0) throw last?.failure.error ?? timedOut(plan);
    try {
      return await attempt(left());
    } catch (error) {
      const failure = classify(error);
      const judged = judge(failure, false);
      if (judged.action !== 'relogin') throw failure.error;
      failures.push(failure);
      const decision = consented(failure, judged);
      if (decision.action === 'fail') {
        refused = { failure, decision };
        throw failure.error;
      }
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
        if (refused?.failure.error === error) {
          last = refused;
          return;
        }
        const failure = classify(error);
        // A resend that would start past the call's time limit is not made.
        const judged = judge(failure, retriesLeft > 0 && left() > plan.options.minDelayMs);
        failures.push(failure);
        if (judged.learn) hooks.learn(judged.learn);
        const decision = judged.action === 'resend' ? consented(failure, judged) : judged;
        last = { failure, decision };
        if (decision.action === 'resend') {
          publishRetry(() => ({ kind: 'retry', reason: failure.kind, message: failure.error.message, operation: failure.error.operation, attempt: retriesConsumed + 1 }));
          hooks.resending(failure, decision, retriesConsumed + 1, failures.length);
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

/** The table's decision to try again, declined by the caller: the call ends with its error. */
function declined(decision: Decision): Decision {
  return { ...decision, action: 'fail', why: `${decision.why}; the caller's shouldRetry declined it` };
}

function timedOut(plan: RetryPlan): SrvError {
  return new TimeoutError(`no reply within ${Math.round(plan.timeoutMs)} ms`, { mayHaveReachedServer: false });
}
