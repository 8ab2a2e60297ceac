/** What an operation answers: one element with ordered attributes and, for DownloadFileChunk, base64 text. */

export type Attribute = readonly [name: string, value: string];

export interface Reply {
  readonly attributes: readonly Attribute[];
  readonly text?: string;
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
