import { SaxesParser } from 'saxes';

export const DTD_PROHIBITED = 'DTD is prohibited in this XML document.';

/**
 * The deepest nesting of elements any reader accepts. No request or xmlParameters needs more than a handful
 * (Envelope, Body, operation, parameter), and saxes' namespace handling costs time in proportion to the depth
 * for every element: a request nested 40 000 deep held the whole emulator for 16 s.
 */
export const MAX_XML_DEPTH = 32;
export const TOO_DEEP = `The XML is nested deeper than ${MAX_XML_DEPTH} elements.`;

/** Throws, from inside the parser's opentag handler, once an element opens past MAX_XML_DEPTH. */
export function checkDepth(depth: number): void {
  if (depth > MAX_XML_DEPTH) throw new Error(TOO_DEEP);
}

export type SafeParser = SaxesParser<{ xmlns: true }>;

/**
 * A namespace-aware parser that refuses any DOCTYPE, so no entity is ever declared, expanded or fetched
 * (XXE and billion-laughs bodies fail at once). Errors are thrown from write() and close(). saxes takes one
 * handler per event, so each reader counts its own depth and calls checkDepth in its opentag handler.
 */
export function createSafeParser(): SafeParser {
  const parser = new SaxesParser({ xmlns: true });
  parser.on('doctype', () => {
    throw new Error(DTD_PROHIBITED);
  });
  return parser;
}
