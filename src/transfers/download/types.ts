// The public shapes of a download: what to fetch, where to put it, how, and what came of it.
import type { Writable } from 'node:stream';
import type { TransferStats } from '../stats.js';

/**
 * The latest version of a document (a full path, `~D{id}` or `~D{id}.ext`), or one version of it.
 * `versionNumber` is the `Number` from GetDocumentVersions (1000000, 2000000, …; 0 = latest), never
 * a finalizer's `VersionId` (contract C22).
 */
export type DownloadSource = string | { path: string; versionNumber: number };

/**
 * A file path, written only once every check has passed; or a stream, which receives verified
 * chunks only and is neither ended nor destroyed: it stays the caller's.
 */
export type DownloadDestination = string | Writable;

export interface DownloadOptions {
  /** The PreferedChunkSize asked for, 262144..33554432 (default 4 MiB); the server's grant is used. */
  chunkSize?: number;
  /** Replace an existing destination file (default false: an existing file is an error before any request). */
  overwrite?: boolean;
  signal?: AbortSignal;
  /** Time limit of each call (default: the client's). */
  timeoutMs?: number;
  onProgress?: (progress: DownloadProgress) => void;
  /** How many times to start again with a new handler (default 3). */
  maxRestarts?: number;
}

export interface DownloadProgress {
  bytesReceived: number;
  totalBytes: number;
  /** Zero-based index of the chunk just stored. */
  chunkIndex: number;
  /** Chunks requested again because their length or CRC-32 was wrong. */
  retries: number;
  /** New handlers obtained after the first. */
  restarts: number;
}

export interface DownloadResult extends TransferStats {
  contentType: string | undefined;
  /** The name the server suggests saving the file as (AlterDocumentName). */
  fileName: string | undefined;
  versionNumber: number | undefined;
}
