// The one scanner of what comes before a reply's document element: where the element starts,
// whether a DTD is declared, and whether the bytes so far are too few to tell.
import { prologueOf } from '../../src/soap/xml-prologue.js';

const scan = (text: string) => prologueOf(Buffer.from(text));

test.each([
  ['nothing before the element', '<response success="true"/>', 0],
  ['a BOM', '\ufeff<r/>', 3],
  ['an XML declaration and a line break', '<?xml version="1.0" encoding="utf-8"?>\r\n<r/>', 40],
  ['a BOM, a declaration, comments and white space', '\ufeff<?xml version="1.0"?> <!-- a > b --><!----><?pi x?>\n\t<r/>', 56],
  ['a prefixed element', '<soap:Envelope/>', 0],
  ['an element whose name is not ASCII', '<été/>', 0],
])('%s: the element starts where the prologue ends', (_what, text, end) => {
  expect(scan(text)).toEqual({ end, next: 'element' });
});

test.each([
  ['a DOCTYPE first', '<!DOCTYPE r [<!ENTITY x "y">]><r/>', 0],
  ['a DOCTYPE after the declaration and a comment', '<?xml version="1.0"?><!-- c --><!DOCTYPE r><r/>', 31],
])('%s is a DTD', (_what, text, end) => {
  expect(scan(text)).toEqual({ end, next: 'doctype' });
});

test.each([
  ['plain text', 'System.InvalidOperationException: boom', 0],
  ['text after a declaration', '<?xml version="1.0"?>oops<r/>', 21],
  ['an end tag', '</r>', 0],
  ['CDATA', '<![CDATA[x]]>', 0],
  ['a lower-case doctype (not XML)', '<!doctype html><html/>', 0],
  ['a stray <', '< r/>', 0],
])('%s is no element', (_what, text, end) => {
  expect(scan(text)).toEqual({ end, next: 'other' });
});

test.each([
  ['nothing', ''],
  ['white space', ' \r\n'],
  ['part of a BOM', '\xef\xbb'],
  ['an unfinished declaration', '<?xml version="1.0"'],
  ['an unfinished comment', '<!-- <r/> -'],
  ['a lone <', '<'],
  ['the start of a comment', '<!-'],
  ['the start of a DOCTYPE', '<!DOC'],
])('%s: more bytes would tell', (_what, text) => {
  expect(prologueOf(Buffer.from(text, 'latin1'))).toBeUndefined();
});

test('a reply that arrives a byte at a time is decided once it can be, and then as it is whole', () => {
  const reply = Buffer.from('\ufeff<?xml version="1.0"?>\r\n<!-- served by node 7 -->\n<response success="true" error="" />');
  const whole = prologueOf(reply);
  const decided = Array.from({ length: reply.length }, (_, i) => prologueOf(reply.subarray(0, i + 1))).findIndex((p) => p !== undefined);
  expect(prologueOf(reply.subarray(0, decided + 1))).toEqual(whole);
  expect(reply.toString('latin1', decided - 1, decided + 1)).toBe('<r');
});
