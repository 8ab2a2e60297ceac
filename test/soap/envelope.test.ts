// Request envelopes are written by code of ours. Fuzzed: every value of every operation, through a
// strict XML parser, comes back exactly as given, in the documented order and casing; no value can
// close its element (node-soap's escaping let `<![CDATA[…]]>` through raw). A payload is sent as
// the same bytes, and its exchange record is what redact() makes of the text.
import { DOMParser } from '@xmldom/xmldom';
import fc from 'fast-check';
import { OPERATION_NAMES, OPERATIONS, type OperationDescriptor, type ParameterDescriptor, type SoapVersion } from '../../generated/srv.js';
import { base64Length, envelopeBody, requestEnvelope } from '../../src/soap/envelope.js';
import { redact, redactEnvelope } from '../../src/soap/redaction.js';
import { encodeArguments, type ArgumentValue } from '../../src/soap/arguments.js';

const ENVELOPE = { '1.1': 'http://schemas.xmlsoap.org/soap/envelope/', '1.2': 'http://www.w3.org/2003/05/soap-envelope' } as const;
const TEMPURI = 'http://tempuri.org/';

/** Everything the transport would write, in memory that held other bytes before, as a pool's does. */
function sentBytes(op: OperationDescriptor, version: SoapVersion, args: Record<string, ArgumentValue>): Buffer {
  return envelopeBody(requestEnvelope(op, version, args), (length) => Buffer.alloc(length + 7, '#').subarray(0, length));
}

/** The operation element's children as [namespace, name, text], parsed by a parser that refuses anything not well-formed. */
function parsedChildren(xml: string, version: SoapVersion, op: string): Array<[string | null, string, string]> {
  const errors: string[] = [];
  const doc = new DOMParser({ errorHandler: { warning: (m) => errors.push(m), error: (m) => errors.push(m), fatalError: (m) => errors.push(m) } }).parseFromString(xml, 'text/xml');
  if (errors.length > 0) throw new Error(`not well-formed: ${errors.join('; ')}`);
  const envelope = doc.documentElement as unknown as Element;
  expect([envelope.namespaceURI, envelope.localName]).toEqual([ENVELOPE[version], 'Envelope']);
  const elements = (parent: Element) => Array.from({ length: parent.childNodes.length }, (_, i) => parent.childNodes.item(i)).filter((n): n is Element => n.nodeType === 1);
  const [body] = elements(envelope);
  const operations = elements(body as Element);
  expect(operations.map((e) => [e.namespaceURI, e.localName])).toEqual([[TEMPURI, op]]);
  return elements(operations[0] as Element).map((e) => [e.namespaceURI, e.localName, e.textContent ?? '']);
}

/** Characters XML 1.0 can carry, markup and whitespace made likely. */
const xmlText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('<![CDATA[</versionComments><path>/Public/evil</path><x>]]>', '<![CDATA[x]]>', ']]>', '&amp;', '&#x41;', '<a/>', '"\'', '\t\r\n', ' lead', 'trail ', '\r\n\r', '文字🎫'),
  fc.array(fc.constantFrom('<', '>', '&', '"', "'", '\t', '\r', '\n', ' ', ']]>', '<![CDATA[', 'x', 'ü', '\uD83C\uDFAB'), { maxLength: 30 }).map((parts) => parts.join('')),
).filter((text) => !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text));

function valueOf(parameter: ParameterDescriptor): fc.Arbitrary<ArgumentValue> {
  switch (parameter.kind) {
    case 'string':
      return xmlText;
    case 'int':
      return fc.integer({ min: -2147483648, max: 2147483647 });
    case 'short':
      return fc.integer({ min: -32768, max: 32767 });
    case 'long':
      return fc.maxSafeInteger();
    case 'decimal':
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'boolean':
    case 'flag':
      return fc.boolean();
    case 'base64Binary':
      return fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes));
  }
}

/** A request with every required parameter and some of the optional ones. */
function requestOf(op: OperationDescriptor): fc.Arbitrary<Record<string, ArgumentValue>> {
  const required = Object.fromEntries(op.parameters.filter((p) => p.required).map((p) => [p.name, valueOf(p)]));
  const optional = Object.fromEntries(op.parameters.filter((p) => !p.required).map((p) => [p.name, valueOf(p)]));
  return fc.record({ ...required, ...optional }, { requiredKeys: Object.keys(required) }) as fc.Arbitrary<Record<string, ArgumentValue>>;
}

function textOf(value: ArgumentValue): string {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return String(value);
}

describe.each<SoapVersion>(['1.1', '1.2'])('SOAP %s', (version) => {
  test.each(OPERATION_NAMES.map((name) => [name]))('%s: every value comes back exactly, in order, and nothing else is there', (name) => {
    const op = OPERATIONS[name];
    fc.assert(
      fc.property(requestOf(op), (request) => {
        const args = encodeArguments(op, request);
        const expected = op.parameters.filter((p) => args[p.name] !== undefined).map((p): [string, string, string] => [TEMPURI, p.name, textOf(args[p.name] as ArgumentValue)]);
        expect(parsedChildren(sentBytes(op, version, args).toString('utf8'), version, name)).toEqual(expected);
      }),
      { numRuns: 60 },
    );
  });
});

test('a value shaped like CDATA is escaped like any other, so it cannot add an element', () => {
  const op = OPERATIONS.UploadDocumentWithHandler1;
  const versionComments = '<![CDATA[</versionComments><path>/Public/other.txt</path><versionComments>]]>';
  const args = encodeArguments(op, { authenticationTicket: 't', path: '/Public/a.txt', uploadHandler: 'h', versionComments });
  const xml = sentBytes(op, '1.1', args).toString('utf8');
  expect(xml).toContain('<versionComments>&lt;![CDATA[&lt;/versionComments&gt;');
  expect(parsedChildren(xml, '1.1', op.name).map(([, name, text]) => [name, text])).toEqual([
    ['authenticationTicket', 't'],
    ['path', '/Public/a.txt'],
    ['uploadHandler', 'h'],
    ['versionComments', versionComments],
  ]);
});

test('a payload is the caller’s bytes, written as base64 between the head and the tail', () => {
  const op = OPERATIONS.UploadFileChunk;
  const fileChunk = Buffer.alloc(200_003, 0xa7);
  const envelope = requestEnvelope(op, '1.1', encodeArguments(op, { authenticationTicket: 'a&b', uploadHandler: 'h', fileChunk, chunkHEXCRC: '3610A686', lastChunk: true }));
  expect(envelope.payload).toBe(fileChunk);
  expect(envelope.headers).toEqual({ 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: '"http://tempuri.org/UploadFileChunk"' });
  expect(envelope.head.toString()).toMatch(/<authenticationTicket>a&amp;b<\/authenticationTicket><uploadHandler>h<\/uploadHandler><fileChunk>$/);
  expect(envelope.tail.toString()).toMatch(/^<\/fileChunk><chunkHEXCRC>3610A686<\/chunkHEXCRC><lastChunk>true<\/lastChunk><\/UploadFileChunk>/);
  expect(requestEnvelope(op, '1.2', encodeArguments(op, { authenticationTicket: 't', uploadHandler: 'h', fileChunk, chunkHEXCRC: '0', lastChunk: false })).headers).toEqual({
    'Content-Type': 'application/soap+xml; charset=utf-8; action="http://tempuri.org/UploadFileChunk"',
  });
});

test('a payload’s body is exactly head, base64 and tail, in memory a pool lends, whatever the size against the slices', () => {
  const op = OPERATIONS.UploadFileChunk;
  const slice = 48 * 1024;
  for (const size of [0, 1, 2, 3, 4, slice - 1, slice, slice + 1, 2 * slice + 2, 200_003]) {
    const fileChunk = Buffer.from(Array.from({ length: size }, (_, i) => (i * 131 + 7) % 256));
    const envelope = requestEnvelope(op, '1.1', encodeArguments(op, { authenticationTicket: 't', uploadHandler: 'h', fileChunk, chunkHEXCRC: '0', lastChunk: true }));
    let lent: Buffer | undefined;
    const body = envelopeBody(envelope, (length) => (lent = Buffer.alloc(length, '#')));
    expect(body).toBe(lent);
    expect(body.toString('latin1')).toBe(`${envelope.head.toString()}${fileChunk.toString('base64')}${envelope.tail.toString()}`);
  }
});

test('a request without a payload takes no memory from the pool', () => {
  const op = OPERATIONS.DeleteUploadHandler;
  const envelope = requestEnvelope(op, '1.1', encodeArguments(op, { authenticationTicket: 't', UploadHandler: 'h' }));
  const taken: number[] = [];
  const body = envelopeBody(envelope, (length) => (taken.push(length), Buffer.alloc(length)));
  expect(body.toString()).toBe(`${envelope.head.toString()}${envelope.tail.toString()}`);
  expect(taken).toEqual([]);
});

test('the exchange record of a payload request is redact() of its text, for payloads around the elision length', () => {
  const op = OPERATIONS.UploadFileChunk;
  for (let size = 0; size <= 64; size++) {
    const fileChunk = Buffer.alloc(size, 0x41);
    const envelope = requestEnvelope(op, '1.1', encodeArguments(op, { authenticationTicket: 'sec&ret', uploadHandler: 'h', fileChunk, chunkHEXCRC: '0', lastChunk: true }));
    const text = `${envelope.head.toString()}${fileChunk.toString('base64')}${envelope.tail.toString()}`;
    expect(redactEnvelope(envelope, ['sec&ret'])).toBe(redact(text, ['sec&ret']));
    expect(base64Length(size)).toBe(fileChunk.toString('base64').length);
  }
});
