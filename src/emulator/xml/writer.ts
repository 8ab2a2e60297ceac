import type { Attribute } from '../result.js';

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

/** `<name a="1" b="2" />`, or `<name …>`, the content's base64, `</name>` when there is content. */
export function elementXml(name: string, attributes: readonly Attribute[], content?: Buffer): XmlReply {
  const open = name + attributes.map(([key, value]) => ` ${key}="${escapeAttribute(value)}"`).join('');
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
