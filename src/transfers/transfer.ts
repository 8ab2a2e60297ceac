// What every transfer shares: the result's numbers, the restart loop (an attempt returns its
// result or the table's restart, which the budget allows or not), and the bounded, best-effort
// deletion of a handler given up. Their options are in transfer-options.ts.
import { handlerNamedBy, InvalidArgumentError, type SrvError } from '../errors.js';
import { checkXmlText, isGuid } from '../soap/arguments.js';
import type { TransferBudget } from '../calls/budget.js';
import type { Action, Decision } from '../calls/decisions.js';
import type { ServicePort } from '../calls/port.js';
import { publishRetry } from '../tracing/channels.js';

export { DEFAULT_CHUNK_SIZE, MAX_CHUNK_SIZE, MIN_CHUNK_SIZE, type TransferOptions, type TransferProgress } from './transfer-options.js';

/** Sizes and offsets are xsd:int on the wire, so nothing past 2 GiB can be addressed. */
export const MAX_INT = 2_147_483_647;
/** Cleanup runs after a cancel too, so it is bounded, retries included. */
const CLEANUP_TIMEOUT_MS = 10_000;

/** What every finished transfer reports. */
export interface TransferStats {
  bytes: number;
  /** CRC-32 of the whole document, 8 lower-case hex digits. */
  crc32: string;
  chunks: number;
  /** Calls repeated: after transient failures, `tryagain`, or a chunk that failed its CRC-32. */
  retries: number;
  /** Times the transfer started over with a new handler. */
  restarts: number;
  elapsedMs: number;
}

/** A remote path: a non-empty string that XML can carry; `expected` says what the argument must be. */
export function remotePath(value: unknown, argument: string, expected: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new InvalidArgumentError(argument, `must be ${expected}`);
  checkXmlText(value, argument);
  return value;
}

/** Why an attempt gave its handler up, and how the transfer starts over: the decision table's action. */
export interface Restart {
  readonly reason: SrvError;
  readonly action: Extract<Action, 'restart' | 'restart-keep' | 'halve'>;
  /** What the table decided, for the caller's shouldRetry. */
  readonly decision: Decision;
}

export function isRestart(value: unknown): value is Restart {
  return typeof value === 'object' && value !== null && 'reason' in value && 'action' in value;
}

/**
 * What a failed step leads to, as the decision table decided it: a restart of the transfer, or the
 * error, thrown. (Resends and new logins were made by the retry site before the call gave up.)
 */
export function restartOrThrow(error: SrvError, decision: Decision): Restart {
  const { action } = decision;
  if (action === 'restart' || action === 'restart-keep' || action === 'halve') return { reason: error, action, decision };
  throw error;
}

export interface RestartLoop<T, R extends Restart = Restart> {
  /** Names the transfer in warnings. */
  readonly name: string;
  /** The document's remote path. */
  readonly path: string;
  readonly budget: TransferBudget;
  /** One try with one handler. */
  attempt(): Promise<T | R>;
  /** After every attempt, whatever its outcome: gives up the attempt's handler, if it still has one. */
  cleanup(): Promise<void>;
  /** Gets ready to start over as the restart says. */
  prepare?(restart: R): void | Promise<void>;
}

/**
 * Runs attempts until one is done, or the budget has no restart left for the next, or the caller
 * declines the restart (asked only of one the budget allows; the handler is given up either way).
 */
export async function withRestarts<T, R extends Restart>(port: ServicePort, loop: RestartLoop<T, R>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    let outcome: T | R;
    try {
      outcome = await loop.attempt();
    } finally {
      await loop.cleanup();
    }
    if (!isRestart(outcome)) return outcome;
    const { budget } = loop;
    if (!budget.startOver(outcome.action) || !port.consents(outcome.reason, attempt, outcome.decision)) throw outcome.reason;
    await loop.prepare?.(outcome);
    const { reason, action } = outcome;
    publishRetry(() => ({ kind: 'restart', reason: action, message: reason.message, operation: reason.operation, path: loop.path }));
    if (outcome.action !== 'halve') {
      const message = `${loop.name}: starting over with a new handler (${budget.budgetedRestarts} of ${budget.maxRestarts}): ${outcome.reason.message}`;
      port.warn({ kind: 'restart', message, error: outcome.reason, attempt });
    }
  }
}

/** DeleteUploadHandler or DeleteDownloadHandler, best effort and bounded: it runs after a cancel too, and its failure hides nothing. */
export async function deleteHandler(port: ServicePort, kind: 'upload' | 'download', handler: string): Promise<void> {
  const options = { step: 'cleanup', timeoutMs: CLEANUP_TIMEOUT_MS, signal: AbortSignal.timeout(CLEANUP_TIMEOUT_MS) } as const;
  const outcome = kind === 'upload'
    ? await port.attempt('DeleteUploadHandler', { UploadHandler: handler }, options)
    : await port.attempt('DeleteDownloadHandler', { DownloadHandler: handler }, options);
  if (!outcome.ok) {
    const operation = kind === 'upload' ? 'DeleteUploadHandler' : 'DeleteDownloadHandler';
    port.warn({ kind: 'cleanup', message: `${operation} failed; the server discards handler ${handler} when it expires`, operation, error: outcome.failure.error });
  }
}

/** Deletes each handler a failed attempt's reply named anyway (a grant that failed, or was malformed, may still have staged one). */
export async function deleteNamedHandlers(port: ServicePort, kind: 'upload' | 'download', failures: ReadonlyArray<{ readonly error: SrvError }>): Promise<void> {
  const named = new Set(failures.map(({ error }) => handlerNamedBy(error)).filter(isGuid));
  for (const handler of named) await deleteHandler(port, kind, handler);
}
