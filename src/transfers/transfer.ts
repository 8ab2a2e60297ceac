// What every transfer shares: the result's numbers, the restart loop (an attempt returns its
// result or why to start over with a new handler), and the bounded, best-effort deletion of a
// handler given up. Their options are in transfer-options.ts.
import { InvalidArgumentError, type SrvError } from '../errors.js';
import { checkXmlText } from '../soap/arguments.js';
import type { ServicePort } from '../calls/port.js';

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

/** Why an attempt gave its handler up: the transfer starts over with a new one. */
export interface Restart {
  readonly restart: SrvError;
  /** false: the restart does not count against maxRestarts (it changes what the next attempt asks for). */
  readonly budgeted?: boolean;
}

export function isRestart(value: unknown): value is Restart {
  return typeof value === 'object' && value !== null && 'restart' in value;
}

export interface RestartLoop<T, R extends Restart = Restart> {
  /** Names the transfer in warnings. */
  readonly name: string;
  readonly maxRestarts: number;
  /** One try with one handler; `restarts` so far. */
  attempt(restarts: number): Promise<T | R>;
  /** After every attempt, whatever its outcome: gives up the attempt's handler, if it still has one. */
  cleanup(): Promise<void>;
  /** Gets ready to start over, or throws the restart's reason when that is not possible. */
  prepare?(restart: R): void | Promise<void>;
}

/** Runs attempts until one is done, or a restart is over budget or cannot be made. */
export async function withRestarts<T, R extends Restart>(port: ServicePort, loop: RestartLoop<T, R>): Promise<{ done: T; restarts: number }> {
  let restarts = 0;
  let budgeted = 0;
  for (;;) {
    let outcome: T | R;
    try {
      outcome = await loop.attempt(restarts);
    } finally {
      await loop.cleanup();
    }
    if (!isRestart(outcome)) return { done: outcome, restarts };
    const counts = outcome.budgeted !== false;
    if (counts && ++budgeted > loop.maxRestarts) throw outcome.restart;
    await loop.prepare?.(outcome);
    restarts += 1;
    if (counts) {
      port.warn({ kind: 'restart', message: `${loop.name}: starting over with a new handler (${budgeted} of ${loop.maxRestarts}): ${outcome.restart.message}`, error: outcome.restart });
    }
  }
}

/** DeleteUploadHandler or DeleteDownloadHandler, best effort and bounded: it runs after a cancel too, and its failure hides nothing. */
export async function deleteHandler(port: ServicePort, kind: 'upload' | 'download', handler: string): Promise<void> {
  const options = { timeoutMs: CLEANUP_TIMEOUT_MS, signal: AbortSignal.timeout(CLEANUP_TIMEOUT_MS) };
  const operation = kind === 'upload' ? 'DeleteUploadHandler' : 'DeleteDownloadHandler';
  try {
    if (kind === 'upload') await port.call('DeleteUploadHandler', { UploadHandler: handler }, options);
    else await port.call('DeleteDownloadHandler', { DownloadHandler: handler }, options);
  } catch (error) {
    port.warn({ kind: 'cleanup', message: `${operation} failed; the server discards handler ${handler} when it expires`, operation, error });
  }
}
