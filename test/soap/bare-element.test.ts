// The HTTP bindings' reply is the bare result element: its attributes and its own text are read by a
// strict parser, whatever comes before it in the prologue, and within bounds a hostile reply cannot
// push past.
import { readBareElement } from '../../src/soap/bare-element.js';

const LIMIT = 1 << 20;
const read = (text: string, limit = LIMIT) => readBareElement(text, limit);

const bare = (name: string, attributes: Record<string, string>, text = '', children: unknown[] = []) => ({ name, attributes, text, children });

test('attributes by their names as written, namespace declarations left out; no text is empty text', () => {
  expect(read('<root success="true" tryagain=\'false\' error="a &amp; b &lt; c" x:id="7" xmlns="urn:a" xmlns:x="urn:x"/>')).toEqual(
    bare('root', { success: 'true', tryagain: 'false', error: 'a & b < c', 'x:id': '7' }),
  );
});

test("the element's own text, references resolved and CDATA included; its children's text is not its own", () => {
  expect(read('<response success="true">YW&#x4A;j<child>not mine</child>ZA<![CDATA[==]]></response>')).toEqual(
    bare('response', { success: 'true' }, 'YWJjZA==', [bare('child', {}, 'not mine')]),
  );
});

test('child elements by their local names, in document order, each with its attributes, own text and children', () => {
  const text = '<x:response xmlns:x="urn:x" success="true"><Versions><Version Number="1000000"><VersionSize> 5 </VersionSize><x:Comment/></Version></Versions><folder id="1"/></x:response>';
  expect(read(text)).toEqual(
    bare('response', { success: 'true' }, '', [
      bare('Versions', {}, '', [bare('Version', { Number: '1000000' }, '', [bare('VersionSize', {}, ' 5 '), bare('Comment', {})])]),
      bare('folder', { id: '1' }),
    ]),
  );
});

test('a BOM, an XML declaration, comments, processing instructions and white space may come before it, and comments after it', () => {
  const text = '\ufeff<?xml version="1.0" encoding="utf-8"?>\r\n<!-- served by node 7 -->\n<?pi x?>\t<response success="true" error=""/>\r\n<!-- end -->\n';
  expect(read(text)).toEqual(bare('response', { success: 'true', error: '' }));
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
  expect(read(text)).toEqual({ name: 'response', attributes: { success: 'true' }, text: '', children: [] });
});

describe('bounds', () => {
  test('nesting 32 deep is read, deeper is refused at once', () => {
    const nested = (depth: number) => `<r success="true">${'<a>'.repeat(depth - 1)}${'</a>'.repeat(depth - 1)}</r>`;
    expect(read(nested(32))?.attributes).toEqual({ success: 'true' });
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

  test('250000 elements are read, more are refused', () => {
    const elements = (count: number) => `<r>${'<a/>'.repeat(count - 1)}</r>`;
    expect(read(elements(250_000), 4 << 20)?.children).toHaveLength(249_999);
    expect(read(elements(250_001), 4 << 20)).toBeUndefined();
  });

  test('a reply longer than the limit is not read', () => {
    const text = '<response success="true"/>';
    expect(read(text, text.length)).toEqual(bare('response', { success: 'true' }));
    expect(read(text, text.length - 1)).toBeUndefined();
  });
});
