// Checks a download's source and options before anything is sent, and settles their defaults.
import { InvalidArgumentError } from '../../errors.js';
import type { CallOptions } from '../../soap/client.js';
import { settle } from '../../util/options.js';
import { bytePace, type Pace } from '../../util/pace.js';
import { versionNumberOf } from '../documents/version-number.js';
import { remotePath, type TransferProgress } from '../transfer.js';
import { DOWNLOAD_OPTIONS, type DownloadOptions } from './download-options.js';
import type { DownloadSource } from './types.js';

export interface SourceSpec {
  readonly path: string;
  /** undefined: GetDownloadHandler; a number: GetDownloadHandlerByVersion. */
  readonly versionNumber: number | undefined;
}

export interface DownloadPlan {
  readonly source: SourceSpec;
  readonly chunkSize: number;
  readonly concurrency: number | 'auto';
  readonly overwrite: boolean;
  readonly resume: boolean;
  readonly maxRestarts: number;
  /** Bytes a second at most, when the caller set a rate limit. */
  readonly pace: Pace | undefined;
  /** The caller's signal and time limit, for every call of the transfer. */
  readonly call: CallOptions;
  readonly onProgress: ((progress: TransferProgress) => void) | undefined;
}

export function planDownload(source: DownloadSource, options: DownloadOptions): DownloadPlan {
  const spec = sourceSpecOf(source);
  const { chunkSize, concurrency, overwrite, resume, maxRestarts, rateLimit, signal, timeoutMs, onProgress } = settle(DOWNLOAD_OPTIONS, options);
  return { source: spec, chunkSize, concurrency, overwrite, resume, maxRestarts, pace: bytePace(rateLimit), call: { signal, timeoutMs }, onProgress };
}

const DOCUMENT = 'a non-empty full path, ~D{id} or ~D{id}.ext';

function sourceSpecOf(source: DownloadSource): SourceSpec {
  if (typeof source === 'string') return { path: remotePath(source, 'source', DOCUMENT), versionNumber: undefined };
  if (typeof source !== 'object' || source === null) {
    throw new InvalidArgumentError('source', 'must be a document path or { path, versionNumber }');
  }
  return { path: remotePath(source.path, 'source.path', DOCUMENT), versionNumber: versionNumberOf('source.versionNumber', source.versionNumber, true) };
}
