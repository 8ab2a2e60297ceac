// The reply of the HTTP GET and POST bindings: the bare result element, with no envelope (a BOM, an
// XML declaration, comments and white space may come before it). Read as a whole XML document by a
// strict parser, within bounds a hostile reply cannot push past: how deep elements nest, how many
// attributes one has, how long the reply is. Only the document element's attributes and its own text
// matter; whatever it contains is checked for well-formedness and otherwise ignored.
import { SaxesParser } from 'saxes';
import { MAX_DEPTH } from './reply-text.js';
import type { RawElement } from './result-values.js';

/** A result element has a dozen attributes at most. */
const MAX_ATTRIBUTES = 256;

/** Stops the parser from inside its handlers: the reply is past a bound, or declares a DTD. */
function refuse(why: string): never {
  throw new Error(why);
}

/**
 * The document element of `text`; undefined when it is no well-formed XML element within the bounds.
 * What follows the element, once it has closed, is ignored.
 */
export function readBareElement(xml: string, maxBytes: number): RawElement | undefined {
  if (xml.length > maxBytes) return undefined;
  const parser = new SaxesParser();
  let depth = 0;
  let attributes = 0;
  let root: RawElement['attributes'] | undefined;
  const text: string[] = [];
  const ownText = (piece: string) => void (depth === 1 && text.push(piece));
  parser.on('doctype', () => refuse('a DTD'));
  parser.on('opentagstart', () => {
    if (++depth > MAX_DEPTH) refuse('too deep');
    attributes = 0;
  });
  parser.on('attribute', () => {
    if (++attributes > MAX_ATTRIBUTES) refuse('too many attributes');
  });
  parser.on('opentag', (tag) => {
    if (depth === 1) root = withoutNamespaces(tag.attributes);
  });
  let closed = false;
  parser.on('closetag', () => void (--depth === 0 && (closed = true)));
  parser.on('text', ownText);
  parser.on('cdata', ownText);
  try {
    parser.write(xml).close();
  } catch {
    // Past the element, junk; before its end, not well-formed or past a bound: no result element.
    if (!closed) return undefined;
  }
  return root && { attributes: root, text: text.join('') };
}

/** The attributes as node-soap hands a SOAP reply's over: by their names as written, namespace declarations left out. */
function withoutNamespaces(attributes: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(attributes).filter(([name]) => name !== 'xmlns' && !name.startsWith('xmlns:')));
}
