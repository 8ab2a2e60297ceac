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

/** `<name a="1" b="2"/>`, or `<name …>text</name>` when there is text. */
export function elementXml(name: string, attributes: readonly Attribute[], text?: string): string {
  const head = name + attributes.map(([key, value]) => ` ${key}="${escapeAttribute(value)}"`).join('');
  return text === undefined || text === '' ? `<${head} />` : `<${head}>${escapeText(text)}</${name}>`;
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>';
