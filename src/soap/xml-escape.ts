// XML escaping, by code of ours with no exception for any input (node-soap passes a value shaped
// like `<![CDATA[…]]>` through unescaped, which let a value close its element and add others).

/** Escapes text for an XML attribute value or element content. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/**
 * Element text: also \t, \r and \n, and NEL and LINE SEPARATOR (line ends to XML 1.1 parsers), as
 * character references, which no parser normalizes away.
 */
export function escapeText(text: string): string {
  return escapeXml(text).replace(/[\t\r\n\u0085\u2028]/g, (c) => `&#x${(c.codePointAt(0) as number).toString(16).toUpperCase()};`);
}
