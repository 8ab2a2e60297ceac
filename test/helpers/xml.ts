// Structural XML comparison for tests: namespaces by URI (prefixes ignored), attributes without
// namespace declarations, whitespace-only text dropped.
import { DOMParser } from '@xmldom/xmldom';

export interface XmlNode {
  name: string;
  attributes: Record<string, string>;
  children: Array<XmlNode | string>;
}

export function canonicalXml(xml: string): XmlNode {
  const errors: string[] = [];
  const doc = new DOMParser({ errorHandler: { warning: () => undefined, error: (m) => errors.push(m), fatalError: (m) => errors.push(m) } })
    .parseFromString(xml.replace(/^\uFEFF/, ''), 'text/xml');
  if (errors.length) throw new Error(`not well-formed: ${errors.join('; ')}`);
  return toNode(doc.documentElement as unknown as Element);
}

function toNode(element: Element): XmlNode {
  const attributes: Record<string, string> = {};
  for (let i = 0; i < element.attributes.length; i++) {
    const attribute = element.attributes.item(i) as Attr;
    if (attribute.name === 'xmlns' || attribute.name.startsWith('xmlns:')) continue;
    attributes[`{${attribute.namespaceURI ?? ''}}${attribute.localName}`] = attribute.value;
  }
  const children: Array<XmlNode | string> = [];
  for (let node = element.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === 1) children.push(toNode(node as Element));
    else if ((node.nodeType === 3 || node.nodeType === 4) && (node.nodeValue ?? '').trim() !== '') children.push((node.nodeValue ?? '').trim());
  }
  return { name: `{${element.namespaceURI ?? ''}}${element.localName}`, attributes, children };
}

/** The SOAP body's operation element of a request envelope. */
export function operationElement(envelope: XmlNode): XmlNode {
  const body = envelope.children.find((c): c is XmlNode => typeof c !== 'string' && c.name.endsWith('}Body'));
  const op = body?.children[0];
  if (!op || typeof op === 'string') throw new Error('no operation element in the body');
  return op;
}
