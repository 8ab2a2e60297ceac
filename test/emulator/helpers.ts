/** Raw-HTTP helpers for the emulator's own tests: they build requests by hand and read replies with regexes. */
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/index.js';
import { connect } from 'node:net';
import { crc32 } from 'node:zlib';

export const TEMPURI = 'http://tempuri.org/';
export const SOAP11_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const SOAP12_NS = 'http://www.w3.org/2003/05/soap-envelope';
export const DEAD_TICKET = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';

export type ParamList = ReadonlyArray<readonly [string, string]>;

export interface HttpReply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

export interface ResultElement {
  readonly name: string;
  readonly attrs: Record<string, string>;
  readonly text: string;
  readonly xml: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#xA': '\n', '#x9': '\t', '#xD': '\r' };
const unescape = (value: string): string => value.replace(/&(amp|lt|gt|quot|apos|#xA|#x9|#xD);/g, (_m, name: string) => ENTITIES[name] ?? '');
const escape = (value: string): string => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The first root/response element of a reply (bare, or inside a SOAP envelope); attrs leave out namespace declarations. */
export function resultOf(body: string): ResultElement {
  const match = /<(root|response|Response)\b([^>]*?)(?:\/>|>([\s\S]*?)<\/\1>)/.exec(body);
  if (match === null) throw new Error(`no result element in: ${body.slice(0, 500)}`);
  const attrs: Record<string, string> = {};
  for (const [, name, value] of (match[2] ?? '').matchAll(/([\w:]+)="([^"]*)"/g)) {
    if (name !== undefined && value !== undefined && !/^xmlns(:|$)/.test(name)) attrs[name] = unescape(value);
  }
  return { name: match[1] ?? '', attrs, text: unescape(match[3] ?? ''), xml: match[0] };
}

async function reply(response: Response): Promise<HttpReply> {
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', body: await response.text() };
}

export function envelope11(op: string, params: ParamList): string {
  const children = params.map(([name, value]) => `<${name}>${escape(value)}</${name}>`).join('');
  return (
    `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${SOAP11_NS}"><soap:Body>` +
    `<${op} xmlns="${TEMPURI}">${children}</${op}></soap:Body></soap:Envelope>`
  );
}

export const envelope12 = (op: string, params: ParamList): string =>
  envelope11(op, params).replace(SOAP11_NS, SOAP12_NS);

export async function postSoap11(url: string, action: string | undefined, body: string): Promise<HttpReply> {
  const headers: Record<string, string> = { 'Content-Type': 'text/xml; charset=utf-8' };
  if (action !== undefined) headers.SOAPAction = `"${action}"`;
  return reply(await fetch(url, { method: 'POST', headers, body }));
}

export async function postSoap12(url: string, action: string, body: string): Promise<HttpReply> {
  const headers = { 'Content-Type': `application/soap+xml; charset=utf-8; action="${action}"` };
  return reply(await fetch(url, { method: 'POST', headers, body }));
}

/** A SOAP 1.1 call with exactly the given parameter names; returns the reply and its result element. */
export async function soap(url: string, op: string, params: ParamList = []): Promise<HttpReply & { result: ResultElement }> {
  const response = await postSoap11(url, `${TEMPURI}${op}`, envelope11(op, params));
  return { ...response, result: resultOf(response.body) };
}

export async function httpGet(url: string, op: string, params: ParamList): Promise<HttpReply> {
  const query = new URLSearchParams(params.map(([name, value]) => [name, value]));
  return reply(await fetch(`${url}/${op}?${query.toString()}`));
}

export async function postForm(url: string, op: string, params: ParamList): Promise<HttpReply> {
  const body = new URLSearchParams(params.map(([name, value]) => [name, value])).toString();
  return reply(
    await fetch(`${url}/${op}`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body }),
  );
}

/** multipart/form-data with text fields and one raw binary file part. */
export async function postMultipart(url: string, op: string, fields: ParamList, file?: { name: string; data: Buffer }): Promise<HttpReply> {
  const boundary = '----EmulatorTestBoundary';
  const parts: Buffer[] = fields.map(([name, value]) =>
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
  );
  if (file !== undefined) {
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="${file.name}"; filename="chunk"\r\nContent-Type: application/octet-stream\r\n\r\n`;
    parts.push(Buffer.from(head), file.data, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  const headers = { 'Content-Type': `multipart/form-data; boundary=${boundary}` };
  return reply(await fetch(`${url}/${op}`, { method: 'POST', headers, body: new Uint8Array(Buffer.concat(parts)) }));
}

/** Upper-case hex without padding, as the vendor's JS sample sends it. */
export const crcHex = (data: Buffer): string => (crc32(data) >>> 0).toString(16).toUpperCase();
export const crcValue = (data: Buffer): number => crc32(data) >>> 0;

export async function login(url: string, user = 'demo', password = 'demo'): Promise<string> {
  const { result } = await soap(url, 'AuthenticateUser', [['UID', user], ['PWD', password]]);
  const ticket = result.attrs.ticket;
  if (ticket === undefined) throw new Error(`login failed: ${result.xml}`);
  return ticket;
}

export async function createUploadHandler(url: string, ticket: string, chunkSize = 262144): Promise<string> {
  const { result } = await soap(url, 'CreateUploadHandler', [['authenticationTicket', ticket], ['PreferedChunkSize', String(chunkSize)]]);
  const handler = result.attrs.UploadHandler;
  if (handler === undefined) throw new Error(`CreateUploadHandler failed: ${result.xml}`);
  return handler;
}

export function uploadChunk(url: string, ticket: string, handler: string, chunk: Buffer, last: boolean, crc = crcHex(chunk)) {
  return soap(url, 'UploadFileChunk', [
    ['authenticationTicket', ticket],
    ['uploadHandler', handler],
    ['fileChunk', chunk.toString('base64')],
    ['chunkHEXCRC', crc],
    ['lastChunk', String(last)],
  ]);
}

/** Sends `content` through a new handler in chunks of `chunkSize`; returns the handler, not finalized. */
export async function stage(url: string, ticket: string, content: Buffer, chunkSize = 262144): Promise<string> {
  const handler = await createUploadHandler(url, ticket, chunkSize);
  let offset = 0;
  do {
    const chunk = content.subarray(offset, offset + chunkSize);
    offset += chunk.length;
    const { result } = await uploadChunk(url, ticket, handler, chunk, offset >= content.length);
    // A minimal server leaves tryagain="false" out.
    if (result.attrs.success !== 'true' || result.attrs.tryagain === 'true') throw new Error(`chunk refused: ${result.xml}`);
  } while (offset < content.length);
  return handler;
}

export async function uploadDocument(url: string, ticket: string, path: string, content: Buffer) {
  const handler = await stage(url, ticket, content);
  const { result } = await soap(url, 'UploadDocumentWithHandler', [
    ['authenticationTicket', ticket],
    ['path', path],
    ['uploadHandler', handler],
  ]);
  if (result.attrs.success !== 'true') throw new Error(`finalize failed: ${result.xml}`);
  return { documentId: Number(result.attrs.DocumentId), versionId: Number(result.attrs.VersionId) };
}

/** Sends raw bytes on a fresh socket; resolves with everything received until the server closes it. */
export function rawExchange(url: string, request: string | Buffer, options: { endAfterWrite?: boolean } = {}): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(request);
      if (options.endAfterWrite === true) socket.end();
    });
    const received: Buffer[] = [];
    socket.on('data', (data) => received.push(data));
    socket.on('close', () => resolve(Buffer.concat(received).toString('utf8')));
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? undefined : reject(error)));
  });
}

export const stateUrl = (url: string): string => url.replace(/\/srv\.asmx$/, '/__emulator/state');

/** The emulator of a test file and a ticket of its demo user, started before the file's tests and closed after them. */
export function useEmulator(options: EmulatorOptions = {}): { readonly emulator: RunningEmulator; readonly ticket: string } {
  const running: { emulator?: RunningEmulator; ticket?: string } = {};
  beforeAll(async () => {
    running.emulator = await startEmulator(options);
    running.ticket = await login(running.emulator.url);
  });
  afterAll(() => running.emulator?.close());
  return {
    get emulator() {
      return running.emulator as RunningEmulator;
    },
    get ticket() {
      return running.ticket as string;
    },
  };
}
