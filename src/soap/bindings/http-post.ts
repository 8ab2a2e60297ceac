// The WSDL's HTTP POST binding: the parameters as a form, with their exact names in the documented
// order, every value URL-encoded; UploadFileChunk's chunk as the raw file part of a
// multipart/form-data body (the seed's example), written from the source's Buffer as the connection
// takes it. The reply is the bare result element (bare-element.ts), a chunk's base64 its text.
import { randomUUID } from 'node:crypto';
import type { OperationDescriptor } from '../../../generated/srv.js';
import { InvalidArgumentError } from '../../errors.js';
import type { HttpReply, StreamedBody } from '../../http/transport.js';
import type { ArgumentValue } from '../arguments.js';
import { readBareElement } from '../bare-element.js';
import { xmlTextOf } from '../reply-text.js';
import { redact } from '../redaction.js';
import { notAReply, resultOf } from '../reply.js';
import { prologueOf } from '../xml-prologue.js';
import type { Take } from '../payload-cut.js';
import { payloadCut, replyLimit, replyText, type Arguments, type Binding, type BindingRequest } from './binding.js';

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

export function chunkEncodingOf(value: ChunkEncoding | undefined): ChunkEncoding {
  if (value === undefined) return 'multipart';
  if (value === 'multipart' || value === 'base64-field') return value;
  throw new InvalidArgumentError('chunkEncoding', "must be 'multipart' or 'base64-field'");
}

export class HttpPostBinding implements Binding {
  constructor(
    private readonly endpoint: URL,
    private readonly chunkEncoding: ChunkEncoding,
    private readonly take: Take,
  ) {}

  write(op: OperationDescriptor, args: Arguments): BindingRequest {
    return this.request(op, 'POST', args);
  }

  read(op: OperationDescriptor, request: BindingRequest, reply: HttpReply, secrets: readonly string[]): Record<string, unknown> {
    const element = readBareElement(xmlTextOf(op, reply), request.maxReplyBytes);
    if (!element) throw notAReply(op, reply, 'http', secrets);
    return resultOf(op, element, secrets, request.cut?.extracted?.payload);
  }

  /** The bare element as it came; what came before it in the prologue is left out. */
  recorded(request: BindingRequest, reply: HttpReply): string {
    const prologue = prologueOf(reply.body);
    return replyText(request.cut, reply, prologue?.next === 'element' ? prologue.end : 0);
  }

  /** The request of `op` by `method`, with the reply's base64 (a chunk) cut out of the bare element. */
  protected request(op: OperationDescriptor, method: 'GET' | 'POST', args: Arguments): BindingRequest {
    const form = formRequest(op, method, this.endpoint, args, this.chunkEncoding);
    return {
      method,
      url: form.url,
      headers: form.headers,
      body: form.body,
      maxReplyBytes: replyLimit(op, args),
      cut: payloadCut(op, args, undefined, this.take),
      recorded: (secrets) => redact(form.text, secrets),
    };
  }
}

/** `args` are checked and complete (arguments.ts encodeArguments); absent optional parameters are left out. */
export function formRequest(op: OperationDescriptor, method: 'GET' | 'POST', endpoint: URL, args: Arguments, chunkEncoding: ChunkEncoding, boundary = `----srv-asmx-${randomUUID()}`): FormRequest {
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
function multipart(op: OperationDescriptor, args: Arguments, boundary: string): Omit<FormRequest, 'method' | 'url'> {
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
