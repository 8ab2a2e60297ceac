// The reply side of the client, fuzzed with fast-check over real HTTP: whatever comes back —
// random bytes, truncated or deeply nested XML, huge attributes, foreign namespaces, entity tricks,
// other content types — a call ends in a typed result or a typed SrvError, and never in a crash,
// a hang or unbounded memory.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { createSrvClient, ReplyTooLargeError, SrvError, TransportError, type SrvClient } from '../../src/index.js';

const TICKET = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
const HANDLER = 'a1b2c3d4-e5f6-7890-abcd-ef1234567890';
const RESPONSE_LIMIT = 1 << 20;
const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';

interface Reply {
  status: number;
  contentType: string;
  body: Buffer;
}

let next: Reply = { status: 200, contentType: 'text/xml', body: Buffer.alloc(0) };
let server: http.Server;
let client: SrvClient;

beforeAll(async () => {
  server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(next.status, { 'Content-Type': next.contentType });
      response.end(next.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/srv.asmx`;
  client = await createSrvClient({ url, timeoutMs: 5_000, maxResponseBytes: RESPONSE_LIMIT });
});
afterAll(async () => {
  client.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const envelope = (op: string, inner: string) =>
  `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${SOAP11}"><soap:Body><${op}Response xmlns="http://tempuri.org/"><${op}Result>${inner}</${op}Result></${op}Response></soap:Body></soap:Envelope>`;

const VALID = {
  DeleteUploadHandler: envelope('DeleteUploadHandler', '<response xmlns="" success="true" error=""/>'),
  CreateUploadHandler: envelope('CreateUploadHandler', `<response xmlns="" success="true" UploadHandler="${HANDLER}" ChunkSize="262144"/>`),
  UploadFileChunk: envelope('UploadFileChunk', '<root success="true" tryagain="false" filehexcrc="1a2b3c4d"/>'),
  DownloadFileChunk: envelope('DownloadFileChunk', '<response xmlns="" success="true" filelength="3" chunklength="3" lastchunk="true" chunkCRC32="352441c2">YWJj</response>'),
} as const;
type Op = keyof typeof VALID;

function call(op: Op): Promise<unknown> {
  switch (op) {
    case 'DeleteUploadHandler':
      return client.DeleteUploadHandler({ authenticationTicket: TICKET, UploadHandler: HANDLER });
    case 'CreateUploadHandler':
      return client.CreateUploadHandler({ authenticationTicket: TICKET, PreferedChunkSize: 262144 });
    case 'UploadFileChunk':
      return client.UploadFileChunk({ authenticationTicket: TICKET, uploadHandler: HANDLER, fileChunk: Buffer.from('abc'), chunkHEXCRC: '352441C2', lastChunk: true });
    case 'DownloadFileChunk':
      return client.DownloadFileChunk({ authenticationTicket: TICKET, DownloadHandler: HANDLER, StartOffset: 0, ChunkSize: 262144 });
  }
}

/** Calls with `reply` served; the outcome must be a result object or an SrvError, nothing else. */
async function outcomeOf(op: Op, reply: Reply): Promise<'result' | SrvError> {
  next = reply;
  try {
    const result = await call(op);
    expect(typeof result).toBe('object');
    return 'result';
  } catch (error) {
    if (!(error instanceof SrvError)) throw new Error(`${op} threw a ${(error as Error)?.constructor?.name}: ${String(error)}`);
    return error;
  }
}

const ops = fc.constantFrom<Op>('DeleteUploadHandler', 'CreateUploadHandler', 'UploadFileChunk', 'DownloadFileChunk');
const statuses = fc.constantFrom(200, 400, 413, 500, 502, 503);
const contentTypes = fc.constantFrom('text/xml; charset=utf-8', 'application/soap+xml', 'text/html', 'application/json', 'application/octet-stream', '');
const RUNS = { numRuns: 150, seed: 20261121 };

test('random bytes and random text are typed errors', async () => {
  const bodies = fc.oneof(fc.uint8Array({ maxLength: 4096 }).map((b) => Buffer.from(b)), fc.string({ maxLength: 2048 }).map((s) => Buffer.from(s)));
  await fc.assert(
    fc.asyncProperty(ops, statuses, contentTypes, bodies, async (op, status, contentType, body) => {
      const outcome = await outcomeOf(op, { status, contentType, body });
      expect(outcome).toBeInstanceOf(SrvError);
    }),
    RUNS,
  );
});

test('a valid reply cut anywhere is a typed error, and whole it is a result', async () => {
  await fc.assert(
    fc.asyncProperty(ops, fc.double({ min: 0, max: 1, noNaN: true }), async (op, share) => {
      const valid = VALID[op];
      const cut = Math.floor(valid.length * share);
      const outcome = await outcomeOf(op, { status: 200, contentType: 'text/xml', body: Buffer.from(valid.slice(0, cut)) });
      if (cut < valid.length - 1) expect(outcome).toBeInstanceOf(SrvError);
    }),
    RUNS,
  );
  for (const op of Object.keys(VALID) as Op[]) expect(await outcomeOf(op, { status: 200, contentType: 'text/xml', body: Buffer.from(VALID[op]) })).toBe('result');
});

test('mutated valid replies (bytes flipped, inserted, deleted) end in a result or a typed error', async () => {
  const edit = fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), kind: fc.constantFrom('flip', 'insert', 'delete'), text: fc.string({ minLength: 1, maxLength: 8 }) });
  await fc.assert(
    fc.asyncProperty(ops, fc.array(edit, { minLength: 1, maxLength: 4 }), async (op, edits) => {
      let body: string = VALID[op];
      for (const { at, kind, text } of edits) {
        const i = Math.floor(body.length * at);
        body = kind === 'delete' ? body.slice(0, i) + body.slice(i + text.length) : kind === 'insert' ? body.slice(0, i) + text + body.slice(i) : body.slice(0, i) + text + body.slice(i + text.length);
      }
      await outcomeOf(op, { status: 200, contentType: 'text/xml', body: Buffer.from(body) });
    }),
    RUNS,
  );
});

test('foreign namespaces and prefixes around the result element are tolerated', async () => {
  const prefixes = fc.constantFrom('', 'x:', 'tns:', 'a1:');
  const namespaces = fc.constantFrom('', 'http://tempuri.org/', 'urn:elsewhere', 'http://example.com/other');
  await fc.assert(
    fc.asyncProperty(prefixes, namespaces, fc.constantFrom('root', 'response', 'Response'), async (prefix, ns, name) => {
      const declaration = prefix ? ` xmlns:${prefix.slice(0, -1)}="${ns || 'urn:x'}"` : ns ? ` xmlns="${ns}"` : ' xmlns=""';
      const body = envelope('DeleteUploadHandler', `<${prefix}${name}${declaration} success="true" error=""/>`);
      expect(await outcomeOf('DeleteUploadHandler', { status: 200, contentType: 'text/xml', body: Buffer.from(body) })).toBe('result');
    }),
    { numRuns: 40, seed: RUNS.seed },
  );
});

describe('hostile replies', () => {
  test('deep nesting ends in a result or a typed error', async () => {
    const deep = `${'<a>'.repeat(50_000)}${'</a>'.repeat(50_000)}`;
    await outcomeOf('DeleteUploadHandler', { status: 200, contentType: 'text/xml', body: Buffer.from(envelope('DeleteUploadHandler', `<response success="true">${deep}</response>`)) });
    await outcomeOf('DeleteUploadHandler', { status: 200, contentType: 'text/xml', body: Buffer.from(deep) });
  });

  test('a huge attribute within the size limit is read; one past the limit is refused without buffering the rest', async () => {
    const big = 'x'.repeat(RESPONSE_LIMIT - 2_000);
    expect(await outcomeOf('DeleteUploadHandler', { status: 200, contentType: 'text/xml', body: Buffer.from(envelope('DeleteUploadHandler', `<response success="true" error="${big}"/>`)) })).toBe('result');
    const tooBig = await outcomeOf('DeleteUploadHandler', { status: 200, contentType: 'text/xml', body: Buffer.alloc(RESPONSE_LIMIT * 64, 'a') });
    expect(tooBig).toBeInstanceOf(TransportError);
    expect(tooBig).toBeInstanceOf(ReplyTooLargeError);
    expect((tooBig as Error).message).toMatch(/past the 1048576 bytes a reply of this call can have/);
  });

  test.each([
    ['an external entity', '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>', '&x;'],
    ['a parameter entity', '<!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1:9/evil.dtd"> %p;]>', ''],
    ['a billion laughs', `<!DOCTYPE r [<!ENTITY a "${'x'.repeat(10)}">${Array.from({ length: 9 }, (_, i) => `<!ENTITY ${String.fromCharCode(98 + i)} "${`&${String.fromCharCode(97 + i)};`.repeat(10)}">`).join('')}]>`, '&j;'],
  ])('%s is refused without fetching or expanding anything', async (_what, doctype, reference) => {
    const body = `<?xml version="1.0"?>${doctype}${envelope('DeleteUploadHandler', `<response success="true" error="${reference}"/>`).replace(/^<\?xml[^>]*>/, '')}`;
    const outcome = await outcomeOf('DeleteUploadHandler', { status: 200, contentType: 'text/xml', body: Buffer.from(body) });
    if (outcome === 'result') throw new Error('an entity was accepted');
    expect(outcome).toBeInstanceOf(SrvError);
    expect(outcome.message).not.toMatch(/root:|xxxxxxxxxx/);
  });
});
