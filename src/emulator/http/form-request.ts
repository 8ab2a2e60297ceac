import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import type { OperationSpec } from '../operations.js';
import { binaryOf } from '../params.js';
import type { Binary, ParamValue, Params } from '../params.js';
import { bodyText, limitedBody } from './body.js';
import { bindValue } from './coerce.js';
import { BodyTooLargeError, RequestError, UnsupportedMediaTypeError } from './errors.js';

/** Received values keyed by lower-case name: form binding ignores case, and the first value of a name wins. */
type RawValues = Map<string, string | Binary>;

function addRaw(values: RawValues, name: string, value: string | Binary): void {
  const key = name.toLowerCase();
  if (!values.has(key)) values.set(key, value);
}

function fromSearchParams(search: URLSearchParams): RawValues {
  const values: RawValues = new Map();
  search.forEach((value, name) => addRaw(values, name, value));
  return values;
}

/** A body busboy cannot read (no boundary, a broken part, an early end) is the client's error: HTTP 400. */
function malformedMultipart(error: unknown): unknown {
  if (error instanceof BodyTooLargeError || !(error instanceof Error)) return error;
  return new RequestError(`Invalid multipart/form-data body: ${error.message}`);
}

function multipartParser(request: IncomingMessage, maxBytes: number): busboy.Busboy {
  try {
    return busboy({ headers: request.headers, limits: { fieldSize: maxBytes } });
  } catch (error) {
    throw malformedMultipart(error);
  }
}

/** multipart/form-data: text fields, and file parts (a raw binary `fileChunk`) kept as the pieces they arrive in. */
async function fromMultipart(request: IncomingMessage, maxBytes: number): Promise<RawValues> {
  const values: RawValues = new Map();
  const files: Promise<void>[] = [];
  const parser = multipartParser(request, maxBytes);
  parser.on('field', (name, value, info) => {
    if (info.valueTruncated) parser.destroy(new BodyTooLargeError(maxBytes, false));
    addRaw(values, name, value);
  });
  parser.on('file', (name, stream) => {
    const parts: Buffer[] = [];
    stream.on('data', (part: Buffer) => parts.push(part));
    // A body that breaks off or grows past the limit errors the file part too: the pipeline reports it.
    files.push(new Promise((resolve) => {
      stream.on('end', () => resolve(addRaw(values, name, binaryOf(parts))));
      stream.on('error', () => resolve());
    }));
  });
  await pipeline(Readable.from(limitedBody(request, maxBytes)), parser).catch((error: unknown) => {
    throw malformedMultipart(error);
  });
  await Promise.all(files);
  return values;
}

const mediaType = (request: IncomingMessage): string =>
  request.headers['content-type']?.split(';')[0]?.trim().toLowerCase() ?? '';

async function rawValues(request: IncomingMessage, url: URL, maxBytes: number): Promise<RawValues> {
  if (request.method === 'GET') return fromSearchParams(url.searchParams);
  const type = mediaType(request);
  if (type === 'application/x-www-form-urlencoded') {
    return fromSearchParams(new URLSearchParams(await bodyText(request, maxBytes)));
  }
  if (type === 'multipart/form-data') return fromMultipart(request, maxBytes);
  throw new UnsupportedMediaTypeError(type, 'application/x-www-form-urlencoded');
}

/** The operation's parameters from a GET query string or a POST form. */
export async function readFormParams(
  request: IncomingMessage,
  url: URL,
  spec: OperationSpec,
  maxBytes: number,
): Promise<Params> {
  const values = await rawValues(request, url, maxBytes);
  const params = new Map<string, ParamValue>();
  for (const param of spec.params) {
    const raw = values.get(param.name.toLowerCase());
    if (raw !== undefined) params.set(param.name, bindValue(param, raw, 'form'));
  }
  return params;
}
