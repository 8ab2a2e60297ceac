// fast-check arbitraries of hostile input for the emulator: malformed SOAP envelopes, traversal in
// document paths and handler GUIDs, odd cookies and request targets.
import fc from 'fast-check';
import { envelope11, envelope12, SOAP11_NS, SOAP12_NS, TEMPURI, type ParamList } from '../emulator/helpers.js';

export type SoapVersion = '1.1' | '1.2';
export const ENVELOPE_NS: Readonly<Record<SoapVersion, string>> = { '1.1': SOAP11_NS, '1.2': SOAP12_NS };

/** Operations with the parameters a fuzzed envelope fills in. */
export const OPERATIONS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['ServerInfo', []],
  ['AuthenticateUser', ['UID', 'PWD']],
  ['DocumentExists', ['authenticationTicket', 'Path']],
  ['CreateFolder', ['authenticationTicket', 'Path']],
  ['UploadFileChunk', ['authenticationTicket', 'uploadHandler', 'fileChunk', 'chunkHEXCRC', 'lastChunk']],
  ['GetDownloadHandler', ['AuthenticationTicket', 'Path', 'PreferedChunkSize']],
  ['DownloadFileChunk', ['authenticationTicket', 'DownloadHandler', 'StartOffset', 'ChunkSize']],
  ['UploadDocumentWithHandler3', ['authenticationTicket', 'path', 'uploadHandler', 'xmlParameters']],
];

const envelope = (version: SoapVersion, op: string, params: ParamList): string => (version === '1.1' ? envelope11 : envelope12)(op, params);

/** A well-formed call of a known operation, with arbitrary parameter values. */
const validCall = (version: SoapVersion): fc.Arbitrary<string> =>
  fc.constantFrom(...OPERATIONS).chain(([op, names]) =>
    fc.tuple(...names.map(() => fc.string({ maxLength: 40 }))).map((values) => envelope(version, op, names.map((name, i) => [name, values[i] ?? ''] as const))),
  );

const BILLION_LAUGHS = [
  '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">',
  ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`),
  ']>',
].join('');

/** Envelopes that declare a DTD: entity bombs, external entities (XXE), parameter entities. */
const withDtd = (version: SoapVersion, op: string): fc.Arbitrary<string> =>
  fc.constantFrom(
    `${BILLION_LAUGHS}<s:Envelope xmlns:s="${ENVELOPE_NS[version]}"><s:Body><${op} xmlns="${TEMPURI}"><Path>&lol9;</Path></${op}></s:Body></s:Envelope>`,
    `<?xml version="1.0"?><!DOCTYPE s:Envelope [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><s:Envelope xmlns:s="${ENVELOPE_NS[version]}"><s:Body><${op} xmlns="${TEMPURI}"><Path>&xxe;</Path></${op}></s:Body></s:Envelope>`,
    `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1:9/evil.dtd"> %p;]><s:Envelope xmlns:s="${ENVELOPE_NS[version]}"/>`,
    `<!DOCTYPE s:Envelope SYSTEM "file:///etc/passwd"><s:Envelope xmlns:s="${ENVELOPE_NS[version]}"/>`,
  );

/** The operation wrapped in `depth` arbitrary elements, inside or outside the Body. */
const deeplyNested = (version: SoapVersion, op: string): fc.Arbitrary<string> =>
  fc.tuple(fc.integer({ min: 1, max: 20_000 }), fc.boolean()).map(([depth, inBody]) => {
    const open = '<n>'.repeat(depth);
    const close = '</n>'.repeat(depth);
    const call = `<${op} xmlns="${TEMPURI}"/>`;
    const body = inBody ? `<s:Body>${open}${call}${close}</s:Body>` : `${open}<s:Body>${call}</s:Body>${close}`;
    return `<s:Envelope xmlns:s="${ENVELOPE_NS[version]}">${body}</s:Envelope>`;
  });

const hugeAttribute = (version: SoapVersion, op: string): fc.Arbitrary<string> =>
  fc.tuple(fc.integer({ min: 1_000, max: 200_000 }), fc.constantFrom('Envelope', 'Body', 'op')).map(([length, where]) => {
    const attribute = ` a="${'x'.repeat(length)}"`;
    const at = (name: string) => (name === where ? attribute : '');
    return `<s:Envelope xmlns:s="${ENVELOPE_NS[version]}"${at('Envelope')}><s:Body${at('Body')}><${op} xmlns="${TEMPURI}"${at('op')}/></s:Body></s:Envelope>`;
  });

const wrongNamespaces = (version: SoapVersion, op: string): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.constantFrom('', 'urn:wrong', SOAP11_NS, SOAP12_NS, 'http://schemas.xmlsoap.org/soap/envelope'),
      fc.constantFrom('', 'http://tempuri.org', 'https://tempuri.org/', 'urn:tempuri', TEMPURI),
    )
    .filter(([envelopeNs, opNs]) => envelopeNs !== ENVELOPE_NS[version] || opNs !== TEMPURI)
    .map(([envelopeNs, opNs]) => `<s:Envelope xmlns:s="${envelopeNs}"><s:Body><${op} xmlns="${opNs}"/></s:Body></s:Envelope>`);

/** A valid envelope with characters cut, inserted or replaced at random places. */
const mutated = (version: SoapVersion): fc.Arbitrary<string> =>
  fc
    .tuple(validCall(version), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 8 }), fc.string({ unit: 'binary', maxLength: 8 })), { minLength: 1, maxLength: 6 }))
    .map(([body, edits]) =>
      edits.reduce((text, [at, cut, insert]) => {
        const position = at % (text.length + 1);
        return text.slice(0, position) + insert + text.slice(position + cut);
      }, body),
    );

const truncated = (version: SoapVersion): fc.Arbitrary<string> =>
  fc.tuple(validCall(version), fc.nat()).map(([body, at]) => body.slice(0, at % body.length));

/** Request bodies a SOAP endpoint may receive from a broken or hostile client, for an operation `op`. */
export function malformedBody(version: SoapVersion, op: string): fc.Arbitrary<Uint8Array> {
  const text = fc.oneof(
    truncated(version),
    mutated(version),
    withDtd(version, op),
    deeplyNested(version, op),
    hugeAttribute(version, op),
    wrongNamespaces(version, op),
    fc.string({ unit: 'binary', maxLength: 2_000 }),
  );
  return fc.oneof({ weight: 6, arbitrary: text.map((body) => new Uint8Array(Buffer.from(body, 'utf8'))) }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 4_096 }) });
}

/** Pieces of a path that try to leave the library, or the data directory behind it. */
const hostileSegment = fc.oneof(
  fc.constantFrom('..', '.', '', '...', '..\u0000', '\u0000', 'Public', 'store.json', 'content', 'staging', '~D1', 'C:', 'CON', 'nul', '%2e%2e', '..%2f..', '..%5c', '\u202e', ' .. ', '.. ', 'a\u0000b.txt', 'x\r\ny'),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
);

export const hostilePath: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom('', '/', '\\', '//', 'C:\\', '\\\\server\\share\\', '/Public/', '\\Public\\', 'file:///', '~D'),
    fc.array(fc.tuple(hostileSegment, fc.constantFrom('/', '\\', '//', '/./', '\u0000')), { maxLength: 8 }),
    hostileSegment,
  )
  .map(([start, pieces, last]) => start + pieces.map(([segment, separator]) => segment + separator).join('') + last);

/** A folder for a folder-and-name call: often one that exists, so that the name is what is tested. */
export const hostileFolder: fc.Arbitrary<string> = fc.oneof(fc.constantFrom('/Public', '\\Public\\', 'Public/'), hostilePath);

/** A document name for a folder-and-name call. */
export const hostileName: fc.Arbitrary<string> = fc.oneof(hostileSegment, hostilePath);

const GUID = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
export const hostileHandler: fc.Arbitrary<string> = fc.oneof(
  hostilePath,
  fc.tuple(fc.constantFrom('', '../', '..\\', '/', 'C:\\', '{'), fc.constantFrom(GUID, GUID.toUpperCase()), fc.constantFrom('', '/..', '\u0000', '.upload', '.download', '/../../store.json', '}', ' ')).map((parts) => parts.join('')),
);

/** Cookie header values, including malformed percent-encoding in a `ticket` cookie. */
export const hostileCookie: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('ticket=%', 'ticket=%E0%A4%A', 'ticket=%zz', 'ticket=%00', 'ticket=', '=; ; ;', 'ticket="quoted"', `ticket=${GUID}; ticket=%`),
  fc.string({ maxLength: 40 }).map((value) => `ticket=${value.replace(/[\r\n\u0000-\u001f\u007f-\uffff]/g, '')}`),
);

/** Request targets of raw request lines: absolute forms, authority forms, odd paths. */
export const hostileTarget: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('http://[', 'http://[::1/srv.asmx', 'http://a:b@[x', 'http://%zz/srv.asmx', '*', '//srv.asmx', '/srv.asmx/..%2f..%2fstore.json', '/srv.asmx/%2e%2e/ServerInfo', '/__emulator/state/..', 'http:', 'srv.asmx', '/srv.asmx?%zz=%'),
  fc.stringMatching(/^[!-~]{1,40}$/),
);
