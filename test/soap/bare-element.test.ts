// The HTTP bindings' reply is the bare result element: its attributes and its own text are read by a
// strict parser, whatever comes before it in the prologue, and within bounds a hostile reply cannot
// push past.
import { readBareElement } from '../../src/soap/bare-element.js';

const LIMIT = 1 << 20;
const read = (text: string, limit = LIMIT) => readBareElement(text, limit);

test('attributes by their names as written, namespace declarations left out; no text is empty text', () => {
  expect(read('<root success="true" tryagain=\'false\' error="a &amp; b &lt; c" x:id="7" xmlns="urn:a" xmlns:x="urn:x"/>')).toEqual({
    attributes: { success: 'true', tryagain: 'false', error: 'a & b < c', 'x:id': '7' },
    text: '',
  });
});

test("the element's own text, references resolved and CDATA included; its children's text is not its own", () => {
  expect(read('<response success="true">YW&#x4A;j<child>not mine</child>ZA<![CDATA[==]]></response>')).toEqual({ attributes: { success: 'true' }, text: 'YWJjZA==' });
});

test('a BOM, an XML declaration, comments, processing instructions and white space may come before it, and comments after it', () => {
  const text = '\ufeff<?xml version="1.0" encoding="utf-8"?>\r\n<!-- served by node 7 -->\n<?pi x?>\t<response success="true" error=""/>\r\n<!-- end -->\n';
  expect(read(text)).toEqual({ attributes: { success: 'true', error: '' }, text: '' });
});

test.each([
  ['plain text', 'System.InvalidOperationException: boom'],
  ['nothing', ''],
  ['only a prologue', '<?xml version="1.0"?><!-- nothing -->'],
  ['an unclosed element', '<response success="true">YWJj'],
  ['a repeated attribute', '<response success="true" success="false"/>'],
  ['an undefined entity', '<response error="&x;"/>'],
  ['a DOCTYPE', '<!DOCTYPE r [<!ENTITY x "y">]><r a="&x;"/>'],
  ['a web page', '<!DOCTYPE html><html><body>Sign in</body></html>'],
])('%s is no result element', (_what, text) => {
  expect(read(text)).toBeUndefined();
});

test.each([
  ['text', '<response success="true"/>oops'],
  ['a second element', '<response success="true"/><response success="false"/>'],
  ['an error page', '<response success="true"/>\r\n<html><body>Server Error in \'/\' Application.'],
])('what follows the element is not the reply: %s after it is ignored', (_what, text) => {
  expect(read(text)).toEqual({ attributes: { success: 'true' }, text: '' });
});

describe('bounds', () => {
  test('nesting 32 deep is read, deeper is refused at once', () => {
    const nested = (depth: number) => `<r success="true">${'<a>'.repeat(depth - 1)}${'</a>'.repeat(depth - 1)}</r>`;
    expect(read(nested(32))).toEqual({ attributes: { success: 'true' }, text: '' });
    expect(read(nested(33))).toBeUndefined();
    const hostile = `<r>${'<a>'.repeat(200_000)}`;
    expect(readBareElement(hostile, hostile.length)).toBeUndefined();
  });

  test('256 attributes on an element are read, more are refused', () => {
    const element = (count: number) => `<r ${Array.from({ length: count }, (_, i) => `a${i}="${i}"`).join(' ')}/>`;
    expect(Object.keys(read(element(256))?.attributes ?? {})).toHaveLength(256);
    expect(read(element(257))).toBeUndefined();
    expect(read(`<r><child ${Array.from({ length: 300 }, (_, i) => `a${i}="1"`).join(' ')}/></r>`)).toBeUndefined();
  });

  test('a reply longer than the limit is not read', () => {
    const text = '<response success="true"/>';
    expect(read(text, text.length)).toEqual({ attributes: { success: 'true' }, text: '' });
    expect(read(text, text.length - 1)).toBeUndefined();
  });
});
