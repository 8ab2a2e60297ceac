// Requests of the WSDL's HTTP GET and POST bindings: the parameters as a query string or a form,
// with their exact names in the documented order, every value URL-encoded; UploadFileChunk's
// chunk as the raw file part of a multipart/form-data body (the seed's example), written from the
// source's Buffer as the connection takes it. GET only where the WSDL declares the operation on
// GET (what is safe in a URL); anything else goes by POST.
import { randomUUID } from 'node:crypto';
import type { BindingName, OperationDescriptor, SoapVersion } from '../../generated/srv.js';
import { InvalidArgumentError } from '../errors.js';
import type { StreamedBody } from '../http/transport.js';
import type { ArgumentValue } from './arguments.js';

export type HttpBinding = Extract<BindingName, 'http-get' | 'http-post'>;

/**
 * How UploadFileChunk's chunk travels over POST: `multipart`, the raw bytes as a file part
 * (default); `base64-field`, base64 text in a urlencoded form, for servers that want that.
 */
export type ChunkEncoding = 'multipart' | 'base64-field';

export interface FormRequest {
  readonly method: 'GET' | 'POST';
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer | StreamedBody;
  /** The body as its exchange record shows it: the form's text, a file part by its size. */
  readonly text: string;
}

const FORM_TYPE = 'application/x-www-form-urlencoded';
const CRLF = '\r\n';

/** The bindings a client can go by, SOAP 1.1 (the default) first. */
export const BINDINGS: readonly BindingName[] = ['soap11', 'soap12', 'http-post', 'http-get'];

/** The client's binding: `binding`, else the one of `soapVersion` (SOAP 1.1 by default); the two must agree. */
export function bindingOf(binding: BindingName | undefined, soapVersion: SoapVersion | undefined): BindingName {
  if (soapVersion !== undefined && soapVersion !== '1.1' && soapVersion !== '1.2') throw new InvalidArgumentError('soapVersion', "must be '1.1' or '1.2'");
  const ofVersion = soapVersion === '1.2' ? 'soap12' : 'soap11';
  if (binding === undefined) return ofVersion;
  if (!BINDINGS.includes(binding)) throw new InvalidArgumentError('binding', `must be one of ${BINDINGS.join(', ')}`);
  if (soapVersion !== undefined && binding !== ofVersion) throw new InvalidArgumentError('soapVersion', `contradicts binding '${binding}'; give one of them`);
  return binding;
}

export function chunkEncodingOf(value: ChunkEncoding | undefined): ChunkEncoding {
  if (value === undefined) return 'multipart';
  if (value === 'multipart' || value === 'base64-field') return value;
  throw new InvalidArgumentError('chunkEncoding', "must be 'multipart' or 'base64-field'");
}

export function isHttpBinding(binding: BindingName): binding is HttpBinding {
  return binding === 'http-get' || binding === 'http-post';
}

/** GET where the binding is GET and the WSDL declares the operation on it; POST otherwise. */
export function verbOf(op: OperationDescriptor, binding: HttpBinding): 'GET' | 'POST' {
  return binding === 'http-get' && op.http.get !== null ? 'GET' : 'POST';
}

/** `args` are checked and complete (values.ts encodeArguments); absent optional parameters are left out. */
export function formRequest(
  op: OperationDescriptor,
  method: 'GET' | 'POST',
  endpoint: URL,
  args: Readonly<Record<string, ArgumentValue>>,
  chunkEncoding: ChunkEncoding,
  boundary: string = `----srv-asmx-${randomUUID()}`,
): FormRequest {
  const location = method === 'GET' ? (op.http.get as string) : op.http.post;
  const url = new URL(endpoint.href);
  url.pathname = `${endpoint.pathname.replace(/\/+$/, '')}${location}`;
  const filePart = op.http.filePart;
  if (method === 'POST' && filePart !== null && chunkEncoding === 'multipart' && args[filePart] instanceof Uint8Array) {
    return { method, url, ...multipart(op, args, boundary) };
  }
  const fields = op.parameters.flatMap(({ name }): Array<[string, string]> => (args[name] === undefined ? [] : [[name, textOf(args[name])]]));
  const form = new URLSearchParams(fields).toString();
  if (method === 'GET') {
    url.search = form;
    return { method, url, headers: {}, body: Buffer.alloc(0), text: '' };
  }
  return { method, url, headers: { 'Content-Type': FORM_TYPE }, body: Buffer.from(form), text: form };
}

/** One text field per parameter and the file part, between the boundaries; the file part's bytes are sent in place. */
function multipart(op: OperationDescriptor, args: Readonly<Record<string, ArgumentValue>>, boundary: string): Omit<FormRequest, 'method' | 'url'> {
  const parts: Array<string | Uint8Array> = [];
  for (const { name } of op.parameters) {
    const value = args[name];
    if (value === undefined) continue;
    const disposition = `--${boundary}${CRLF}Content-Disposition: form-data; name="${name}"`;
    if (value instanceof Uint8Array) parts.push(`${disposition}; filename="chunk"${CRLF}Content-Type: application/octet-stream${CRLF}${CRLF}`, value, CRLF);
    else parts.push(`${disposition}${CRLF}${CRLF}${textOf(value)}${CRLF}`);
  }
  parts.push(`--${boundary}--${CRLF}`);
  const bytes = parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : Buffer.from(part.buffer, part.byteOffset, part.byteLength)));
  const body: StreamedBody = { byteLength: bytes.reduce((sum, piece) => sum + piece.length, 0), pieces: () => bytes.values() };
  const text = parts.map((part) => (typeof part === 'string' ? part : `[${part.byteLength} bytes]`)).join('');
  return { headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` }, body, text };
}

function textOf(value: ArgumentValue | undefined): string {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  return String(value);
}

/** Writes a client's requests over its HTTP binding; says once per operation that it goes by POST instead of GET. */
export class HttpRequests {
  readonly #warned = new Set<string>();

  constructor(
    private readonly binding: HttpBinding,
    private readonly chunkEncoding: ChunkEncoding,
    private readonly notice: (message: string) => void,
  ) {}

  request(op: OperationDescriptor, endpoint: URL, args: Readonly<Record<string, ArgumentValue>>): FormRequest {
    const method = verbOf(op, this.binding);
    if (this.binding === 'http-get' && method === 'POST' && !this.#warned.has(op.name)) {
      this.#warned.add(op.name);
      this.notice(`${op.name} goes by HTTP POST, not GET: the WSDL declares on GET only the calls that are safe in a URL (never a password or a chunk)`);
    }
    return formRequest(op, method, endpoint, args, this.chunkEncoding);
  }
}
