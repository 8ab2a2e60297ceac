// The options of session.uploadMany (upload-many.ts) and their table.
import type { OptionTable } from '../../util/options.js';

export interface UploadManyOptions {
  /**
   * Files uploaded at the same time.
   * @default 4
   */
  concurrency?: number;
  /**
   * Cancels every upload not yet finished.
   * @default none
   */
  signal?: AbortSignal;
}

export const UPLOAD_MANY_OPTIONS = {
  concurrency: { default: 4, whole: true, min: 1, summary: "files uploaded at the same time, each one's chunks in order", cli: '--concurrency' },
  signal: { summary: 'cancels every upload not yet finished' },
} as const satisfies OptionTable<UploadManyOptions>;
