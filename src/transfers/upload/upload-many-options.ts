// The options of session.uploadMany (upload-many.ts) and their table.
import type { OptionTable } from '../../util/options.js';

export interface UploadManyOptions {
  /**
   * Files uploaded at the same time.
   * @default 4
   */
  concurrency?: number;
  /**
   * Bytes a second at most, on average, for all the uploads together: every chunk of every file
   * waits its turn in one budget (an item's own rateLimit applies to it as well).
   * @default none
   */
  rateLimit?: number;
  /**
   * Cancels every upload not yet finished.
   * @default none
   */
  signal?: AbortSignal;
}

export const UPLOAD_MANY_OPTIONS = {
  concurrency: { default: 4, whole: true, min: 1, summary: "files uploaded at the same time, each one's chunks in order", cli: '--concurrency' },
  rateLimit: { above: 0, summary: "bytes a second at most, on average, shared by all the uploads (a tenth of a second's worth may go at once)", cli: '--bwlimit' },
  signal: { summary: 'cancels every upload not yet finished' },
} as const satisfies OptionTable<UploadManyOptions>;
