// The public shapes of a download: what to fetch, where to put it, how, and what came of it.
import type { Writable } from 'node:stream';
import type { TransferStats } from '../transfer.js';

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

export type { DownloadOptions } from './download-options.js';

export interface DownloadResult extends TransferStats {
  /** Bytes an earlier run had verified that this one kept instead of fetching them again (resume). */
  resumedBytes: number;
  contentType: string | undefined;
  /** The name the server suggests saving the file as (AlterDocumentName). */
  fileName: string | undefined;
  versionNumber: number | undefined;
}
