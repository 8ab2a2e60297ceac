// The options of session.upload (upload.ts) and their table: every transfer's, and an upload's own.
import { settle, type OptionTable, type Settled } from '../../util/options.js';
import { TRANSFER_OPTIONS, type TransferOptions } from '../transfer-options.js';
import type { DocumentMetadata } from './metadata.js';

export interface UploadOptions extends TransferOptions {
  /**
   * What to store with the document; it decides the finalizer (README: Metadata).
   * @default none
   */
  metadata?: DocumentMetadata;
  /**
   * Send chunk CRCs zero-padded to 8 digits, unlike the vendor sample; a server that wants that is learnt anyway.
   * @default false
   */
  padCrc?: boolean;
  /**
   * What to do when the source file changes while it is read (its size, mtime or ctime): 'fail'
   * with SourceChangedError, or 'restart' with the new content, within maxRestarts. Either way
   * the handler is deleted and nothing is finalized from the mixed bytes.
   * @default 'fail'
   */
  onSourceChange?: 'fail' | 'restart';
  /**
   * Copy a one-shot Readable source to a private temporary file before sending it, so that the
   * upload can start over; the file is removed afterwards. Memory stays bounded. The `signal` stops
   * the copy at once, since the stream may never end.
   * @default false
   */
  spool?: boolean;
  /**
   * Create the destination folder, and its missing parents, when it does not exist; without it a
   * missing folder is a NotFoundError naming it, before any byte is sent.
   * @default false
   */
  createFolders?: boolean;
  /**
   * Lock (check out) an existing document for the upload and unlock it afterwards, whatever the
   * outcome, so that no other user stores a version in between; a document locked by someone else
   * fails with CheckedOutError before a byte is sent. A new document is uploaded without.
   * @default false
   */
  lock?: boolean;
}

export const UPLOAD_OPTIONS = {
  ...TRANSFER_OPTIONS,
  metadata: { summary: 'description, keywords, a version comment or label, …: it decides the finalizer' },
  padCrc: { default: false, summary: 'send chunk CRCs zero-padded to 8 digits (a server that wants that is learnt anyway)' },
  onSourceChange: { default: 'fail', choices: ['fail', 'restart'], summary: 'when the source file changes while it is read: fail, or start over with the new content' },
  spool: { default: false, summary: 'copy a one-shot `Readable` to a temporary file first, so that the upload can start over' },
  createFolders: { default: false, summary: 'create the destination folder and its missing parents', cli: '--parents' },
  lock: { default: false, summary: 'lock an existing document for the upload, and unlock it afterwards', cli: '--lock' },
} as const satisfies OptionTable<UploadOptions>;

export type SettledUploadOptions = Settled<UploadOptions, typeof UPLOAD_OPTIONS>;

/** An upload's options, checked, with their defaults. */
export function uploadOptions(options: UploadOptions): SettledUploadOptions {
  return settle(UPLOAD_OPTIONS, options);
}
