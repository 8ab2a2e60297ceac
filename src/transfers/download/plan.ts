// Checks a download's source and options before anything is sent, and settles their defaults.
import { InvalidArgumentError } from '../../errors.js';
import type { CallOptions } from '../../soap/client.js';
import { MAX_INT, remotePath, transferOptions, wholeNumberIn, type TransferProgress } from '../transfer.js';
import type { DownloadOptions, DownloadSource } from './types.js';

const FIRST_VERSION_NUMBER = 1_000_000;
export const DEFAULT_CONCURRENCY = 4;
const MAX_CONCURRENCY = 16;

export interface SourceSpec {
  readonly path: string;
  /** undefined: GetDownloadHandler; a number: GetDownloadHandlerByVersion. */
  readonly versionNumber: number | undefined;
}

export interface DownloadPlan {
  readonly source: SourceSpec;
  readonly chunkSize: number;
  readonly concurrency: number;
  readonly overwrite: boolean;
  readonly resume: boolean;
  readonly maxRestarts: number;
  /** The caller's signal and time limit, for every call of the transfer. */
  readonly call: CallOptions;
  readonly onProgress: ((progress: TransferProgress) => void) | undefined;
}

export function planDownload(source: DownloadSource, options: DownloadOptions): DownloadPlan {
  return {
    source: sourceSpecOf(source),
    ...transferOptions(options),
    concurrency: wholeNumberIn(options.concurrency ?? DEFAULT_CONCURRENCY, 1, MAX_CONCURRENCY, 'concurrency'),
    overwrite: options.overwrite === true,
    resume: options.resume === true,
    call: { signal: options.signal, timeoutMs: options.timeoutMs },
    onProgress: options.onProgress,
  };
}

const DOCUMENT = 'a non-empty full path, ~D{id} or ~D{id}.ext';

function sourceSpecOf(source: DownloadSource): SourceSpec {
  if (typeof source === 'string') return { path: remotePath(source, 'source', DOCUMENT), versionNumber: undefined };
  if (typeof source !== 'object' || source === null) {
    throw new InvalidArgumentError('source', 'must be a document path or { path, versionNumber }');
  }
  return { path: remotePath(source.path, 'source.path', DOCUMENT), versionNumber: versionNumberOf(source.versionNumber) };
}

function versionNumberOf(value: unknown): number {
  const number = wholeNumberIn(value, 0, MAX_INT, 'source.versionNumber');
  if (number > 0 && number < FIRST_VERSION_NUMBER) {
    throw new InvalidArgumentError('source.versionNumber', `is ${number}: version numbers are 1000000, 2000000, … as GetDocumentVersions lists them (0 = latest)`);
  }
  return number;
}
