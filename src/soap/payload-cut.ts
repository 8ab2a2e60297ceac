// Takes a result element's base64 text out of a reply as its bytes arrive, before any XML parsing,
// and decodes it straight into the memory of the result: a chunk reply never exists whole, in
// base64 or as a string, and the parser only sees the few hundred bytes around the text. It cuts
// only where the structure is certain: the first {Op}Result start tag and its one child element
// (or, in a bare reply, the document element) whose content is plain text up to its own end tag,
// no entity reference in it, and nothing between the prologue (xml-prologue.ts) and the text that
// could hide markup (comments, CDATA, DOCTYPE, processing instructions). Anything else is handed
// whole to the parser, which then does exactly what it does without the cut.
import type { ReplySink } from '../http/reply-bytes.js';
import { prologueOf } from './xml-prologue.js';

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const COLON = 0x3a;
const EQUALS = 0x3d;
const QUOTES = new Set([0x22, 0x27]);
const SPACES = new Set([0x20, 0x09, 0x0a, 0x0d]);
/** Past this, a reply whose text has not started yet is not one this cut is for. */
const MAX_HEAD_BYTES = 65_536;

/** Gives the memory of `length` bytes the text is decoded into. */
export type Take = (length: number) => Buffer;

/**
 * Receives a reply's bytes in order and cuts the text of the element inside `wrapper` (the
 * document element's, without one) out of them on the way. `take(length)` gives the memory the
 * text is decoded into; `maxPayload` bounds it.
 */
export class PayloadCut implements ReplySink {
  // The state of the reply under way, set by begin().
  /** Bytes before the text (everything, until the text is found or the cut given up). */
  #head!: Buffer[];
  #headBytes!: number;
  /** Set once the text has started: the tag name whose end tag closes it. */
  #element: Buffer | undefined;
  #decoder: Base64Decoder | undefined;
  /** Bytes from the end of the text on. */
  #tail!: Buffer[];
  /** The cut was given up: every byte is in #head. */
  #whole!: boolean;
  #extracted: { payload: Buffer; at: number } | undefined;
  /** The reply's Content-Length, when declared: it bounds the text too. */
  #declaredLength: number | undefined;

  constructor(
    private readonly wrapper: string | undefined,
    private readonly take: Take,
    private readonly maxPayload: number,
    declaredLength?: number,
  ) {
    this.begin(declaredLength);
  }

  /** Starts over, for a reply of `declaredLength` bytes when declared. */
  begin(declaredLength: number | undefined): void {
    this.#head = [];
    this.#headBytes = 0;
    this.#element = undefined;
    this.#decoder = undefined;
    this.#tail = [];
    this.#whole = false;
    this.#extracted = undefined;
    this.#declaredLength = declaredLength;
  }

  add(bytes: Buffer): void {
    if (this.#whole) return this.keep(bytes);
    if (this.#tail.length > 0) return void this.#tail.push(bytes);
    if (this.#decoder) return this.text(bytes);
    this.keep(bytes);
    this.findText();
  }

  /** The reply as the parser gets it: without the text, when it was cut out (see `extracted`), else whole. Call once, at the end. */
  bytes(): Buffer {
    const element = this.#element;
    const decoder = this.#decoder;
    const tail = Buffer.concat(this.#tail);
    const payload = !this.#whole && element && decoder && isEndTag(tail, 0, element) ? decoder.end() : undefined;
    if (!payload) return this.wholeBytes(tail);
    const head = Buffer.concat(this.#head);
    this.#extracted = { payload, at: head.length };
    return Buffer.concat([head, tail]);
  }

  /** The decoded text, and the offset in bytes() where it was; undefined when nothing was cut out. */
  get extracted(): { readonly payload: Buffer; readonly at: number } | undefined {
    return this.#extracted;
  }

  private keep(bytes: Buffer): void {
    this.#head.push(bytes);
    this.#headBytes += bytes.length;
  }

  private findText(): void {
    const head = this.#head.length === 1 ? (this.#head[0] as Buffer) : Buffer.concat(this.#head);
    const found = textStart(head, this.wrapper);
    if (found === 'more' && this.#headBytes <= MAX_HEAD_BYTES) return;
    if (found === 'more' || found === 'never') return void (this.#whole = true);
    const declared = this.#declaredLength;
    const room = declared === undefined ? this.maxPayload : Math.min(this.maxPayload, Math.floor(((declared - found.start) * 3) / 4));
    this.#head = [head.subarray(0, found.start)];
    this.#element = found.element;
    this.#decoder = new Base64Decoder(this.take(Math.max(0, room)));
    if (found.start < head.length) this.text(head.subarray(found.start));
  }

  /** Bytes of the text, up to the `<` that ends it. */
  private text(bytes: Buffer): void {
    const end = bytes.indexOf(LT);
    const text = end < 0 ? bytes : bytes.subarray(0, end);
    const decoder = this.#decoder as Base64Decoder;
    if (!decoder.write(text)) return this.giveUp(decoder, bytes);
    if (end >= 0) this.#tail.push(bytes.subarray(end));
  }

  /** From here on the parser gets everything: the text decoded so far is put back as it came. */
  private giveUp(decoder: Base64Decoder, unread: Buffer): void {
    this.#whole = true;
    this.#element = undefined;
    this.#decoder = undefined;
    this.keep(Buffer.from(decoder.undecoded(), 'latin1'));
    this.keep(unread);
  }

  private wholeBytes(tail: Buffer): Buffer {
    if (this.#decoder) this.giveUp(this.#decoder, tail);
    return Buffer.concat(this.#head);
  }
}

const BASE64_SPACES = [0x20, 0x09, 0x0a, 0x0d];
const PAD = 0x3d;

/**
 * Decodes base64 text into one Buffer as it comes, each piece of text as it is given: its whole
 * groups of four characters straight into the Buffer, the one to three characters after them kept
 * for the next piece. Node's decoder skips what is not base64, so a piece decodes exactly when it
 * yields the bytes its length says (an entity reference or any other stray character makes it fall
 * short); one that does not is tried again without its whitespace, which XML Schema's base64Binary
 * allows. It refuses text that does not decode exactly (a stray character, padding before the end,
 * more than fits), so that the caller can hand it to the parser instead; `undecoded()` gives the
 * text back, less its whitespace.
 */
class Base64Decoder {
  #written = 0;
  /** Characters of a group that the text given so far has not completed. */
  readonly #carry = Buffer.alloc(4);
  #carried = 0;
  #padded = false;

  constructor(private readonly out: Buffer) {}

  /** `text`: the text's bytes, as they come. */
  write(text: Buffer): boolean {
    if (this.decode(text, false)) return true;
    const clean = withoutSpaces(text);
    return clean.length < text.length && this.decode(clean, false);
  }

  /** The decoded bytes, or undefined when the rest does not decode exactly. */
  end(): Buffer | undefined {
    return this.decode(Buffer.alloc(0), true) ? this.out.subarray(0, this.#written) : undefined;
  }

  undecoded(): string {
    return this.out.toString('base64', 0, this.#written) + this.#carry.toString('latin1', 0, this.#carried);
  }

  /**
   * Decodes the carried characters and `text`, whole groups of four (all that is left, when
   * `last`); false, with nothing taken, when they do not decode exactly.
   */
  private decode(text: Buffer, last: boolean): boolean {
    if (text.length === 0 && !last) return true;
    if (this.#padded) return this.#carried === 0 && text.length === 0;
    // The carried group, completed from the text's first characters.
    const fill = Math.min(4 - this.#carried, text.length);
    const first = this.#carried === 0 ? 0 : this.#carried + fill;
    const groupEnd = this.#carried === 0 ? 0 : fill;
    if (first > 0 && first < 4 && !last) {
      if (hasSpace(text, 0)) return false;
      text.copy(this.#carry, this.#carried);
      this.#carried = first;
      return true;
    }
    const rest = text.length - groupEnd;
    const whole = last ? text.length : groupEnd + rest - (rest % 4);
    if (hasSpace(text, whole)) return false;
    let at = this.#written;
    if (first > 0) {
      const group = this.#carry.toString('latin1', 0, this.#carried) + text.toString('latin1', 0, groupEnd);
      const got = this.decodeInto(group, at, whole === groupEnd);
      if (got < 0) return false;
      at += got;
    }
    if (whole > groupEnd) {
      const got = this.decodeInto(text.toString('latin1', groupEnd, whole), at, true);
      if (got < 0) return false;
      at += got;
    }
    this.#written = at;
    this.#padded = (whole > 0 ? text[whole - 1] : this.#carry[this.#carried - 1]) === PAD;
    this.#carried = text.copy(this.#carry, 0, whole);
    return true;
  }

  /**
   * Decodes `text` (a multiple of four characters unless it ends the text) at `at`: the bytes
   * written, or -1 when it does not decode exactly. Padding may only end it, when it ends what is
   * decoded now (`mayPad`): nothing may come after it.
   */
  private decodeInto(text: string, at: number, mayPad: boolean): number {
    const pads = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
    // One character alone encodes nothing: it is refused, where node's decoder would drop it unseen.
    if (text.length % 4 === 1 || (pads > 0 && (!mayPad || text.length % 4 !== 0))) return -1;
    // An unpadded last group decodes as node's decoder reads it: two or three characters make one or two bytes.
    const expected = Math.floor(((text.length - pads) * 3) / 4);
    if (at + expected > this.out.length) return -1;
    return this.out.write(text, at, 'base64') === expected ? expected : -1;
  }
}

/** Whether the few characters of `text` from `from` on hold whitespace. */
function hasSpace(text: Buffer, from: number): boolean {
  for (let at = from; at < text.length; at++) if (BASE64_SPACES.includes(text[at] as number)) return true;
  return false;
}

function withoutSpaces(text: Buffer): Buffer {
  const kept = Buffer.allocUnsafe(text.length);
  let length = 0;
  for (const byte of text) if (!BASE64_SPACES.includes(byte)) kept[length++] = byte;
  return kept.subarray(0, length);
}

type TextStart = { start: number; element: Buffer } | 'more' | 'never';

/**
 * Where the text starts in the reply's first bytes, whether more bytes could tell, or that there is
 * no text to cut. `wrapper`: the text is that of the first child of the first start tag of this
 * name; undefined, that of the document element (a bare reply).
 */
function textStart(body: Buffer, wrapper: string | undefined): TextStart {
  const prologue = prologueOf(body);
  if (!prologue) return 'more';
  if (prologue.next !== 'element') return 'never';
  const open = wrapper === undefined ? prologue.end : childOf(body, wrapper, prologue.end);
  if (typeof open !== 'number') return open;
  const nameEnd = nameEndAt(body, open + 1);
  if (nameEnd >= body.length) return 'more';
  if (body[open] !== LT || nameEnd === open + 1) return 'never';
  const close = tagEnd(body, open);
  if (close < 0) return 'more';
  if (body[close - 1] === SLASH || hidesMarkup(body, prologue.end, close)) return 'never';
  return { start: close + 1, element: Buffer.from(body.subarray(open + 1, nameEnd)) };
}

/** Where the first child of the first start tag named `wrapper` opens (from `from` on), or whether it cannot. */
function childOf(body: Buffer, wrapper: string, from: number): number | 'more' | 'never' {
  const wrapperOpen = startTagOf(body, wrapper, from);
  const wrapperEnd = wrapperOpen < 0 ? -1 : tagEnd(body, wrapperOpen);
  if (wrapperEnd < 0) return 'more';
  if (body[wrapperEnd - 1] === SLASH) return 'never';
  return skipSpaces(body, wrapperEnd + 1);
}

/** Where the first start tag named `name` (with any prefix) opens from `from` on, or -1. */
function startTagOf(body: Buffer, name: string, from: number): number {
  for (let at = body.indexOf(name, from); at > from; at = body.indexOf(name, at + 1)) {
    const after = body[at + name.length];
    if (after !== GT && after !== SLASH && !SPACES.has(after as number)) continue;
    if (body[at - 1] === LT) return at - 1;
    if (body[at - 1] === COLON) {
      const prefixStart = body.lastIndexOf(LT, at);
      if (prefixStart >= 0 && nameEndAt(body, prefixStart + 1) > at) return prefixStart;
    }
  }
  return -1;
}

/** The index of the `>` that ends the tag opened at `open`; `>` inside quoted attribute values does not count. */
function tagEnd(body: Buffer, open: number): number {
  let quote: number | undefined;
  for (let at = open + 1; at < body.length; at++) {
    const byte = body[at] as number;
    if (quote !== undefined) {
      if (byte === quote) quote = undefined;
    } else if (QUOTES.has(byte)) {
      quote = byte;
    } else if (byte === GT) {
      return at;
    } else if (byte === LT) {
      return -1;
    }
  }
  return -1;
}

function isEndTag(body: Buffer, at: number, qname: Buffer): boolean {
  if (body[at] !== LT || body[at + 1] !== SLASH || !body.subarray(at + 2, at + 2 + qname.length).equals(qname)) return false;
  return body[skipSpaces(body, at + 2 + qname.length)] === GT;
}

/** A comment, CDATA section, DOCTYPE or processing instruction after the prologue, before the text. */
function hidesMarkup(body: Buffer, from: number, to: number): boolean {
  const between = body.subarray(from, to);
  return between.includes('<!') || between.includes('<?');
}

/** The first index from `at` on that does not belong to an XML name (qualified or not). */
function nameEndAt(body: Buffer, at: number): number {
  let end = at;
  while (end < body.length && !SPACES.has(body[end] as number) && body[end] !== GT && body[end] !== SLASH && body[end] !== LT && body[end] !== EQUALS) end++;
  return end;
}

function skipSpaces(body: Buffer, at: number): number {
  let end = at;
  while (SPACES.has(body[end] as number)) end++;
  return end;
}
