/** What an operation answers: one element with ordered attributes and, for DownloadFileChunk, bytes as base64 text. */

export type Attribute = readonly [name: string, value: string];

export interface Reply {
  readonly attributes: readonly Attribute[];
  /** Bytes the element carries as its base64 text; they are encoded as the reply is written. */
  readonly content?: Buffer;
  /**
   * Ends what the operation holds while its reply is answered (a DownloadFileChunk's read of its handler). The
   * HTTP layer calls it once, when the reply has been written or will not be.
   */
  readonly release?: () => void;
}

export interface ResultElement extends Reply {
  readonly name: string;
}

/** An in-band business error: the operation answers `success="false" error="…"`. */
export class Refusal extends Error {
  /** FolderExists and CreateFolder document their not-found reply with an `error` attribute only. */
  readonly withoutSuccess: boolean;

  constructor(message: string, options: { withoutSuccess?: boolean } = {}) {
    super(message);
    this.name = 'Refusal';
    this.withoutSuccess = options.withoutSuccess ?? false;
  }
}

export function refusalReply(refusal: Refusal): Reply {
  const error: Attribute = ['error', refusal.message];
  return { attributes: refusal.withoutSuccess ? [error] : [['success', 'false'], error] };
}

export function systemErrorReply(message: string): Reply {
  return { attributes: [['success', 'false'], ['error', `SystemError: ${message}`]] };
}

export const ok = (...attributes: Attribute[]): Reply => ({ attributes: [['success', 'true'], ...attributes] });
