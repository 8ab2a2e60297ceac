// What may come before a reply's document element: a UTF-8 BOM, the XML declaration and other
// processing instructions, comments, white space. Every reader of a reply's first bytes goes by this
// one scanner: the check that refuses a DTD unparsed, the cut of a chunk's base64, and where a bare
// result element starts.

export interface Prologue {
  /** Where what follows the prologue starts. */
  readonly end: number;
  /** What follows it: the document element, a DOCTYPE, or anything else (text, a stray `<`, CDATA). */
  readonly next: 'element' | 'doctype' | 'other';
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const LT = 0x3c;
const SPACES = new Set([0x20, 0x09, 0x0a, 0x0d]);
/** A byte that may start a name; a byte of 0x80 or more starts a multi-byte UTF-8 character. */
const NAME_START = /[A-Za-z_:\u0080-\u00ff]/;
/** Items of the prologue, by how they open and close: processing instructions (the XML declaration is one), comments. */
const ITEMS: ReadonlyArray<readonly [string, string]> = [
  ['<?', '?>'],
  ['<!--', '-->'],
];
const DOCTYPE = '<!DOCTYPE';
/** Everything that opens with `<` and is decided by its first few bytes. */
const OPENINGS = [...ITEMS.map(([open]) => open), DOCTYPE];

/** The prologue of `bytes`, the first bytes of a reply; undefined when they end inside it, and more bytes would tell. */
export function prologueOf(bytes: Buffer): Prologue | undefined {
  if (bytes.length < UTF8_BOM.length && UTF8_BOM.subarray(0, bytes.length).equals(bytes)) return undefined;
  let at = bytes.subarray(0, UTF8_BOM.length).equals(UTF8_BOM) ? UTF8_BOM.length : 0;
  for (;;) {
    while (SPACES.has(bytes[at] as number)) at++;
    if (at >= bytes.length) return undefined;
    if (bytes[at] !== LT) return { end: at, next: 'other' };
    const head = bytes.toString('latin1', at, at + DOCTYPE.length);
    const item = ITEMS.find(([open]) => head.startsWith(open));
    if (item) {
      const close = bytes.indexOf(item[1], at + item[0].length);
      if (close < 0) return undefined;
      at = close + item[1].length;
      continue;
    }
    if (head.startsWith(DOCTYPE)) return { end: at, next: 'doctype' };
    if (OPENINGS.some((open) => head.length < open.length && open.startsWith(head))) return undefined;
    return { end: at, next: NAME_START.test(head.charAt(1)) ? 'element' : 'other' };
  }
}
