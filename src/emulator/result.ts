/**
 * What an operation answers: one element with ordered attributes and, for DownloadFileChunk, bytes as base64
 * text, or child elements (a document's versions, a folder's items).
 */

export type Attribute = readonly [name: string, value: string];

/** An element inside a result: attributes, then its text or its own child elements. */
export interface ChildElement {
  readonly name: string;
  readonly attributes?: readonly Attribute[];
  readonly text?: string;
  readonly children?: readonly ChildElement[];
}

export interface Reply {
  readonly attributes: readonly Attribute[];
  readonly children?: readonly ChildElement[];
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

/** A success with child elements. */
export const okWith = (attributes: readonly Attribute[], children: readonly ChildElement[]): Reply => ({
  attributes: [['success', 'true'], ...attributes],
  children,
});

/** `<name>text</name>`. */
export const textElement = (name: string, text: string): ChildElement => ({ name, text });
