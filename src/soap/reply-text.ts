// A reply's XML as text, in the charset its bytes are in: a byte order mark first, else the
// Content-Type's charset (which HTTP makes authoritative), else the XML declaration's encoding, else
// UTF-8. A charset this client cannot decode fails once, naming it; asking again would bring the same.
import type { OperationDescriptor } from '../../generated/srv.js';
import { malformedReply } from '../errors.js';
import type { HttpReply } from '../http/transport.js';

const BOMS: ReadonlyArray<readonly [Buffer, string]> = [
  [Buffer.from([0xef, 0xbb, 0xbf]), 'utf-8'],
  [Buffer.from([0xff, 0xfe]), 'utf-16le'],
  [Buffer.from([0xfe, 0xff]), 'utf-16be'],
];
const UTF8 = new Set(['utf-8', 'utf8', 'unicode-1-1-utf-8']);
const DECLARED_ENCODING = /^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/;

/** The reply's text, without its byte order mark. */
export function xmlTextOf(op: OperationDescriptor, reply: HttpReply): string {
  const decoded = decode(reply);
  if (decoded.text === undefined) throw malformedReply(op.name, `charset "${decoded.charset}" is not one this client can decode`);
  return decoded.text;
}

/** The reply's text for its exchange record, from byte `from` where it is UTF-8; one in a charset that does not decode, as bytes. */
export function recordTextOf(reply: HttpReply, from = 0): string {
  const { charset, text } = decode(reply);
  if (UTF8.has(charset)) return reply.body.toString('utf8', from);
  return text ?? reply.body.toString('latin1');
}

function decode(reply: HttpReply): { charset: string; text: string | undefined } {
  const { body } = reply;
  const bom = BOMS.find(([mark]) => body.subarray(0, mark.length).equals(mark));
  const charset = bom?.[1] ?? charsetOf(reply) ?? declaredEncoding(body) ?? 'utf-8';
  const bytes = bom ? body.subarray(bom[0].length) : body;
  if (UTF8.has(charset)) return { charset, text: bytes.toString('utf8') };
  try {
    return { charset, text: new TextDecoder(charset).decode(bytes) };
  } catch {
    return { charset, text: undefined };
  }
}

function charsetOf(reply: HttpReply): string | undefined {
  const type = reply.headers['content-type'] ?? '';
  return /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(type)?.[1]?.toLowerCase();
}

/** The XML declaration's encoding, read in an ASCII-compatible charset (a UTF-16 reply has a BOM or a charset). */
function declaredEncoding(body: Buffer): string | undefined {
  return DECLARED_ENCODING.exec(body.toString('latin1', 0, 256))?.[1]?.toLowerCase();
}

/** A reply of the service nests a few elements; one nested deeper than this is refused before any parser builds it. */
export const MAX_DEPTH = 32;
const LT = '<';
const SLASH = 0x2f;
const BANG = 0x21;
const QUESTION = 0x3f;

/**
 * Whether elements nest deeper than MAX_DEPTH anywhere in `text`: a cheap count of open and close
 * tags (comments, CDATA and processing instructions skipped), so that a hostile reply costs a scan,
 * not the objects a parser would make of it.
 */
export function nestsTooDeep(text: string): boolean {
  let depth = 0;
  for (let at = text.indexOf(LT); at !== -1; at = text.indexOf(LT, at + 1)) {
    const next = text.charCodeAt(at + 1);
    if (next === SLASH) {
      depth -= 1;
      continue;
    }
    const close = next === BANG ? (text.startsWith('<!--', at) ? '-->' : text.startsWith('<![CDATA[', at) ? ']]>' : '>') : next === QUESTION ? '?>' : '>';
    const end = text.indexOf(close, at + 1);
    if (end < 0) return false;
    if (next !== BANG && next !== QUESTION && text.charCodeAt(end - 1) !== SLASH && ++depth > MAX_DEPTH) return true;
    at = end;
  }
  return false;
}

/** Where the document element `name` (any prefix) first closes, if it does: what follows is not the reply's. */
export function endOfElement(text: string, name: string): number | undefined {
  const match = new RegExp(`</(?:[\\w.-]+:)?${name}\\s*>`).exec(text);
  return match ? match.index + match[0].length : undefined;
}
