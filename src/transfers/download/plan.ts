// Checks a download's source and options before anything is sent, and settles their defaults.
import { InvalidArgumentError } from '../../errors.js';
import { checkXmlText } from '../../soap/values.js';
import type { CallOptions } from '../../soap/client.js';
import type { DownloadOptions, DownloadProgress, DownloadSource } from './types.js';

export const MIN_CHUNK_SIZE = 262_144;
export const MAX_CHUNK_SIZE = 33_554_432;
const DEFAULT_CHUNK_SIZE = 4 * 1_048_576;
const DEFAULT_MAX_RESTARTS = 3;
/** Size, filelength and StartOffset are xsd:int, which caps what can be addressed (contract C31). */
export const MAX_INT = 2_147_483_647;
const FIRST_VERSION_NUMBER = 1_000_000;

export interface SourceSpec {
  readonly path: string;
  /** undefined: GetDownloadHandler; a number: GetDownloadHandlerByVersion. */
  readonly versionNumber: number | undefined;
}

export interface DownloadPlan {
  readonly source: SourceSpec;
  readonly chunkSize: number;
  readonly overwrite: boolean;
  readonly maxRestarts: number;
  /** The caller's signal and time limit, for every call of the transfer. */
  readonly call: CallOptions;
  readonly onProgress: ((progress: DownloadProgress) => void) | undefined;
}

export function planDownload(source: DownloadSource, options: DownloadOptions): DownloadPlan {
  return {
    source: sourceSpecOf(source),
    chunkSize: integerIn(options.chunkSize ?? DEFAULT_CHUNK_SIZE, MIN_CHUNK_SIZE, MAX_CHUNK_SIZE, 'chunkSize'),
    overwrite: options.overwrite === true,
    maxRestarts: integerIn(options.maxRestarts ?? DEFAULT_MAX_RESTARTS, 0, Number.MAX_SAFE_INTEGER, 'maxRestarts'),
    call: { signal: options.signal, timeoutMs: options.timeoutMs },
    onProgress: options.onProgress,
  };
}

function sourceSpecOf(source: DownloadSource): SourceSpec {
  if (typeof source === 'string') return { path: documentPath(source, 'source'), versionNumber: undefined };
  if (typeof source !== 'object' || source === null) {
    throw new InvalidArgumentError('source', 'must be a document path or { path, versionNumber }');
  }
  return { path: documentPath(source.path, 'source.path'), versionNumber: versionNumberOf(source.versionNumber) };
}

function documentPath(value: unknown, argument: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new InvalidArgumentError(argument, 'must be a non-empty full path, ~D{id} or ~D{id}.ext');
  }
  checkXmlText(value, argument);
  return value;
}

function versionNumberOf(value: unknown): number {
  const number = integerIn(value, 0, MAX_INT, 'source.versionNumber');
  if (number > 0 && number < FIRST_VERSION_NUMBER) {
    throw new InvalidArgumentError('source.versionNumber', `is ${number}: version numbers are 1000000, 2000000, … as GetDocumentVersions lists them (0 = latest)`);
  }
  return number;
}

function integerIn(value: unknown, min: number, max: number, argument: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
    throw new InvalidArgumentError(argument, `must be a whole number ${range}, not ${String(value)}`);
  }
  return value;
}
