// The reply of the HTTP GET and POST bindings: the bare result element, with no envelope (a BOM, an
// XML declaration, comments and white space may come before it). Read as a whole XML document by a
// strict parser, within bounds a hostile reply cannot push past: how deep elements nest, how many
// attributes one has, how many elements there are, how long the reply is. Each element is read by
// its local name, with its attributes, its own text and its child elements.
import { SaxesParser } from 'saxes';
import { MAX_RESULT_DEPTH, MAX_RESULT_ELEMENTS, type RawElement } from './result-values.js';

/** A result element has a dozen attributes at most, a listed document some fifty. */
const MAX_ATTRIBUTES = 256;

/** Stops the parser from inside its handlers: the reply is past a bound, or declares a DTD. */
function refuse(why: string): never {
  throw new Error(why);
}

interface OpenElement {
  readonly element: RawElement & { children: RawElement[] };
  readonly text: string[];
}

/**
 * The document element of `xml`; undefined when it is no well-formed XML element within the bounds
 * (or longer than `maxBytes`). What follows the element, once it has closed, is ignored.
 */
export function readBareElement(xml: string, maxBytes: number): RawElement | undefined {
  if (xml.length > maxBytes) return undefined;
  const parser = new SaxesParser();
  const open: OpenElement[] = [];
  let elements = 0;
  let attributes = 0;
  let root: RawElement | undefined;
  const ownText = (piece: string) => void open.at(-1)?.text.push(piece);
  parser.on('doctype', () => refuse('a DTD'));
  parser.on('opentagstart', () => {
    if (open.length >= MAX_RESULT_DEPTH) refuse('too deep');
    if (++elements > MAX_RESULT_ELEMENTS) refuse('too many elements');
    attributes = 0;
  });
  parser.on('attribute', () => {
    if (++attributes > MAX_ATTRIBUTES) refuse('too many attributes');
  });
  parser.on('opentag', (tag) => {
    const element = { name: localName(tag.name), attributes: withoutNamespaces(tag.attributes), text: '', children: [] };
    open.at(-1)?.element.children.push(element);
    open.push({ element, text: [] });
  });
  parser.on('closetag', () => {
    const closed = open.pop();
    if (closed === undefined) return;
    closed.element.text = closed.text.join('');
    root ??= open.length === 0 ? closed.element : undefined;
  });
  parser.on('text', ownText);
  parser.on('cdata', ownText);
  try {
    parser.write(xml).close();
  } catch {
    // Past the element, junk; before its end, not well-formed or past a bound: no result element.
    if (root === undefined) return undefined;
  }
  return root;
}

/** `x:name` is read as `name`: the service's elements are matched by local name, whatever their namespace. */
function localName(name: string): string {
  return name.slice(name.indexOf(':') + 1);
}

/** The attributes as node-soap hands a SOAP reply's over: by their names as written, namespace declarations left out. */
function withoutNamespaces(attributes: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(attributes).filter(([name]) => name !== 'xmlns' && !name.startsWith('xmlns:')));
}
