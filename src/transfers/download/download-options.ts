// The options of session.download (download.ts) and their table: every transfer's, and a
// download's own. planDownload settles them.
import type { OptionTable } from '../../util/options.js';
import { TRANSFER_OPTIONS, type TransferOptions } from '../transfer-options.js';

export interface DownloadOptions extends TransferOptions {
  /**
   * Chunks in flight at once. Each is verified on its own; the destination still only gets
   * verified bytes, a stream in order. 'auto' starts with 2 and adds one while throughput grows,
   * up to 8; it goes back when an added read brought nothing (the reads only queue at the server),
   * and halves when a read fails or stalls. A number fixes it. Where the server fails reads of one
   * handler that overlap, the download (and the session's next ones) falls back to one at a time.
   * @default 'auto'
   */
  concurrency?: number | 'auto';
  /**
   * Replace an existing destination file, once the download is verified; without it an existing
   * file is an error before any request.
   * @default false
   */
  overwrite?: boolean;
  /**
   * A file destination only. Every download to a file records the ranges it has verified in a
   * small state file beside its temporary file (`.{name}.srv-asmx.part`). With resume, a download
   * that fails or is cancelled keeps both, and the same download run again goes on with what any
   * earlier run left (one killed outright too) when the new handler stages the same version (size,
   * CRC-32, and the VersionNumber and ModificationDate the server gives), after re-reading each
   * kept range against its CRC-32, and starts over otherwise. Without it, what an interrupted run
   * left is removed.
   * @default false
   */
  resume?: boolean;
}

export const DOWNLOAD_OPTIONS = {
  ...TRANSFER_OPTIONS,
  concurrency: {
    default: 'auto',
    choices: ['auto'],
    whole: true,
    min: 1,
    max: 16,
    summary: "chunks in flight at once, each verified on its own; `'auto'` starts with 2 and adds one while throughput grows, up to 8, and backs off when reads queue, stall or fail; a number fixes it",
    cli: '--concurrency',
  },
  overwrite: { default: false, summary: 'replace an existing destination file, once the download is verified', cli: '--force' },
  resume: { default: false, summary: 'keep what an interrupted download verified beside the file, and go on with it next time', cli: '--resume' },
} as const satisfies OptionTable<DownloadOptions>;

export const DEFAULT_CONCURRENCY: number | 'auto' = DOWNLOAD_OPTIONS.concurrency.default;
