// Takes a result element's base64 text out of a raw reply before any XML parsing and decodes it
// from the reply's bytes, so that the parser only sees the few hundred bytes around it. It cuts
// only where the structure is certain: the first {Op}Result start tag, one child element whose
// content is plain text up to its own end tag, no entity reference in it, and nothing before it
// that could hide markup (comments, CDATA, DOCTYPE, processing instructions). Anything else is left
// whole to the parser, which then does exactly what it does without the cut.
import { decodeBase64 } from './values.js';

export interface CutReply {
  /** The reply without the base64 text, for the XML parser. */
  readonly rest: string;
  /** The decoded bytes. */
  readonly payload: Buffer;
}

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const COLON = 0x3a;
const EQUALS = 0x3d;
const AMPERSAND = 0x26;
const QUOTES = new Set([0x22, 0x27]);
const SPACES = new Set([0x20, 0x09, 0x0a, 0x0d]);
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
/** Base64 characters per decoded slice: a multiple of 4, so that clean slices decode independently. */
const SLICE_CHARS = 64 * 1024;

/**
 * Cuts the text of the element inside `wrapper` ({Op}Result) out of `body`, or says it cannot. The
 * bytes are decoded into memory from `take` (default: a fresh Buffer).
 */
export function cutPayload(body: Buffer, wrapper: string, take: (length: number) => Buffer = Buffer.allocUnsafe): CutReply | undefined {
  const span = textSpan(body, wrapper);
  if (!span) return undefined;
  return {
    rest: body.toString('utf8', 0, span.start) + body.toString('utf8', span.end),
    payload: decodeSpan(body, span, take),
  };
}

function textSpan(body: Buffer, wrapper: string): { start: number; end: number } | undefined {
  const wrapperOpen = startTagOf(body, wrapper);
  const wrapperEnd = wrapperOpen < 0 ? -1 : tagEnd(body, wrapperOpen);
  if (wrapperEnd < 0 || body[wrapperEnd - 1] === SLASH) return undefined;
  const open = skipSpaces(body, wrapperEnd + 1);
  const nameEnd = nameEndAt(body, open + 1);
  if (body[open] !== LT || nameEnd === open + 1) return undefined;
  const close = tagEnd(body, open);
  if (close < 0 || body[close - 1] === SLASH) return undefined;
  const start = close + 1;
  const end = body.indexOf(LT, start);
  if (end < 0 || !isEndTag(body, end, body.subarray(open + 1, nameEnd))) return undefined;
  if (body.subarray(start, end).includes(AMPERSAND) || hidesMarkup(body.subarray(0, start))) return undefined;
  return { start, end };
}

/** Where the first start tag named `name` (with any prefix) opens, or -1. */
function startTagOf(body: Buffer, name: string): number {
  for (let at = body.indexOf(name); at > 0; at = body.indexOf(name, at + 1)) {
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
  if (body[at + 1] !== SLASH || !body.subarray(at + 2, at + 2 + qname.length).equals(qname)) return false;
  return body[skipSpaces(body, at + 2 + qname.length)] === GT;
}

/** A comment, CDATA section, DOCTYPE or processing instruction before the text, other than the XML declaration. */
function hidesMarkup(head: Buffer): boolean {
  const from = head.subarray(0, 3).equals(UTF8_BOM) ? 3 : 0;
  const declarationEnd = head.indexOf('<?xml', from) === from ? head.indexOf('?>', from) + 2 : from;
  return head.includes('<!', declarationEnd) || head.includes('<?', declarationEnd);
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

/**
 * Decodes slice by slice into one Buffer, which avoids a string of the whole text. That is exact
 * only for clean base64 (no whitespace, optional padding at the end): then every slice but the
 * last decodes to exactly 3/4 of its length, and the total is known in advance. Anything else is
 * decoded as the parser's text would be.
 */
function decodeSpan(body: Buffer, { start, end }: { start: number; end: number }, take: (length: number) => Buffer): Buffer {
  const padding = end - start >= 2 ? (body[end - 1] === EQUALS ? 1 : 0) + (body[end - 2] === EQUALS ? 1 : 0) : 0;
  const expected = Math.floor(((end - start - padding) * 3) / 4);
  const decoded = take(expected);
  const asText = () => decodeBase64(body.toString('utf8', start, end));
  let written = 0;
  for (let at = start; at < end; at += SLICE_CHARS) {
    const to = Math.min(end, at + SLICE_CHARS);
    const got = decoded.write(body.toString('latin1', at, to), written, 'base64');
    if (to < end && got !== (SLICE_CHARS / 4) * 3) return asText();
    written += got;
  }
  return written === expected ? decoded : asText();
}
