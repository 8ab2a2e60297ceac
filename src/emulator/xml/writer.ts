import type { Attribute, ChildElement } from '../result.js';

/** Characters XML 1.0 cannot carry at all. */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
const ATTRIBUTE_ESCAPES: Record<string, string> = {
  ...TEXT_ESCAPES,
  '"': '&quot;',
  '\t': '&#x9;',
  '\n': '&#xA;',
  '\r': '&#xD;',
};

export const escapeText = (value: string): string =>
  value.replace(NOT_XML, '\uFFFD').replace(/[&<>]/g, (c) => TEXT_ESCAPES[c] ?? c);

export const escapeAttribute = (value: string): string =>
  value.replace(NOT_XML, '\uFFFD').replace(/[&<>"\t\n\r]/g, (c) => ATTRIBUTE_ESCAPES[c] ?? c);

/** XML to send: `head`, then `content` (if any) as base64 text, then `tail`. Base64 needs no escaping. */
export interface XmlReply {
  readonly head: string;
  readonly content?: Buffer;
  readonly tail: string;
}

const openTag = (name: string, attributes: readonly Attribute[]): string =>
  name + attributes.map(([key, value]) => ` ${key}="${escapeAttribute(value)}"`).join('');

/** A child element and everything in it; `<name … />` when it holds nothing. */
function childXml(element: ChildElement): string {
  const open = openTag(element.name, element.attributes ?? []);
  const inner = escapeText(element.text ?? '') + (element.children ?? []).map(childXml).join('');
  return inner === '' ? `<${open} />` : `<${open}>${inner}</${element.name}>`;
}

/**
 * `<name a="1" b="2" />`; or `<name …>`, the content's base64, `</name>` when there is content; or the child
 * elements between the tags when there are any.
 */
export function elementXml(name: string, attributes: readonly Attribute[], content?: Buffer, children: readonly ChildElement[] = []): XmlReply {
  const open = openTag(name, attributes);
  if (children.length > 0) return { head: `<${open}>${children.map(childXml).join('')}`, tail: `</${name}>` };
  if (content === undefined || content.length === 0) return { head: `<${open} />`, tail: '' };
  return { head: `<${open}>`, content, tail: `</${name}>` };
}

/** The same XML, with text before and after it. */
export const wrapXml = (before: string, xml: XmlReply, after: string): XmlReply => ({
  ...xml,
  head: before + xml.head,
  tail: xml.tail + after,
});

export const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>';
