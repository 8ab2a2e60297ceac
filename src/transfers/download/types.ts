// The public shapes of a download: what to fetch, where to put it, how, and what came of it.
import type { Writable } from 'node:stream';
import type { TransferOptions, TransferStats } from '../transfer.js';

/**
 * The latest version of a document (a full path, `~D{id}` or `~D{id}.ext`), or one version of it.
 * `versionNumber` is the `Number` from GetDocumentVersions (1000000, 2000000, …; 0 = latest), never
 * a finalizer's `VersionId`, which the service numbers differently.
 */
export type DownloadSource = string | { path: string; versionNumber: number };

/**
 * A file path, written only once every check has passed; or a stream, which receives verified
 * chunks only and is neither ended nor destroyed: it stays the caller's.
 */
export type DownloadDestination = string | Writable;

export interface DownloadOptions extends TransferOptions {
  /**
   * Chunks in flight at once, 1..16 (default 4). Each is verified on its own; the destination still
   * only gets verified bytes, a stream in order. Where the server fails reads of one handler that
   * overlap, the download (and the session's next ones) falls back to one at a time.
   */
  concurrency?: number;
  /** Replace an existing destination file (default false: an existing file is an error before any request). */
  overwrite?: boolean;
  /**
   * A file destination only (default false). Every download to a file records the ranges it has
   * verified in a small state file beside its temporary file (`.{name}.srv-asmx.part`). With
   * resume, a download that fails or is cancelled keeps both, and the same download run again goes
   * on with what any earlier run left (one killed outright too) when the new handler stages the
   * same version (size, CRC-32, and the VersionNumber and ModificationDate the server gives), after
   * re-reading each kept range against its CRC-32, and starts over otherwise. Without it, what an
   * interrupted run left is removed.
   */
  resume?: boolean;
}

export interface DownloadResult extends TransferStats {
  /** Bytes an earlier run had verified that this one kept instead of fetching them again (resume). */
  resumedBytes: number;
  contentType: string | undefined;
  /** The name the server suggests saving the file as (AlterDocumentName). */
  fileName: string | undefined;
  versionNumber: number | undefined;
}
