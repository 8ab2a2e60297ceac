import { isAscii } from 'node:buffer';
import type { IncomingHttpHeaders } from 'node:http';
import { TextDecoder } from 'node:util';
import { findOperation } from '../operations.js';
import type { OperationSpec, ParamSpec } from '../operations.js';
import type { ParamValue, Params } from '../params.js';
import { checkDepth, createSafeParser } from '../xml/safe-parser.js';
import type { SafeParser } from '../xml/safe-parser.js';
import { envelopeMismatch, unreadableRequest, xmlDocumentError } from '../profiles/asmx.js';
import type { DotNetException } from '../profiles/asmx.js';
import { Base64Decoder } from './base64.js';
import { bindValue, invalidValue } from './coerce.js';
import { RequestError } from './errors.js';

export type SoapVersion = '1.1' | '1.2';

export const SERVICE_NAMESPACE = 'http://tempuri.org/';
export const ENVELOPE_NAMESPACES: Record<SoapVersion, string> = {
  '1.1': 'http://schemas.xmlsoap.org/soap/envelope/',
  '1.2': 'http://www.w3.org/2003/05/soap-envelope',
};
const XSI_NAMESPACE = 'http://www.w3.org/2001/XMLSchema-instance';
const [LT, GT, AMPERSAND] = [0x3c, 0x3e, 0x26];
const EMPTY = Buffer.alloc(0);

const mediaType = (contentType: string): string => contentType.split(';')[0]?.trim().toLowerCase() ?? '';

export function soapVersionOf(contentType: string): SoapVersion | undefined {
  const type = mediaType(contentType);
  if (type === 'text/xml') return '1.1';
  return type === 'application/soap+xml' ? '1.2' : undefined;
}

/** SOAP 1.1 names the action in the SOAPAction header, SOAP 1.2 in the Content-Type's action parameter. */
export function soapActionOf(headers: IncomingHttpHeaders, version: SoapVersion): string {
  const raw =
    version === '1.1'
      ? headers.soapaction
      : /;\s*action\s*=\s*("[^"]*"|[^;]*)/i.exec(headers['content-type'] ?? '')?.[1];
  return (Array.isArray(raw) ? raw[0] : raw)?.trim().replace(/^"(.*)"$/, '$1') ?? '';
}

/** HttpUtility.UrlDecode: `+` is a space, %XX runs are UTF-8; anything else stays as it is. */
export function urlDecode(text: string): string {
  return text
    .replace(/\+/g, ' ')
    .replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => Buffer.from(run.replace(/%/g, ''), 'hex').toString('utf8'));
}

/**
 * The action as ASMX routes on it, or undefined when the request names none. SOAP 1.1: the SOAPAction header,
 * unquoted only when it both starts and ends with a quote; SOAP 1.2: the Content-Type's action parameter. Then
 * URL-decoded. It is compared exactly (a case-sensitive Hashtable of the web methods' actions).
 */
export function asmxActionOf(headers: IncomingHttpHeaders, version: SoapVersion): string | undefined {
  if (version === '1.1') {
    const raw = Array.isArray(headers.soapaction) ? headers.soapaction[0] : headers.soapaction;
    if (raw === undefined) return undefined;
    const unquoted = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
    return urlDecode(unquoted);
  }
  const parameter = /;\s*action\s*=\s*("[^"]*"|[^;]*)/i.exec(headers['content-type'] ?? '')?.[1]?.trim();
  if (parameter === undefined || parameter === '' || parameter === '""') return undefined;
  return urlDecode(parameter.replace(/^"(.*)"$/, '$1'));
}

/** Like ASMX, the action must be exactly the service namespace followed by an operation name. */
export function operationOfAction(action: string): OperationSpec | undefined {
  return action.startsWith(SERVICE_NAMESPACE) ? findOperation(action.slice(SERVICE_NAMESPACE.length)) : undefined;
}

/** The request cannot be read: not well-formed XML (`malformed`), or XML that is not the expected request. */
function unreadable(message: string, details: { malformed?: boolean; inner?: DotNetException } = {}): RequestError {
  const inner = details.inner ?? { type: 'System.InvalidOperationException', message };
  return new RequestError(`Server was unable to read request. ${message}`, 'Client', {
    malformed: details.malformed ?? false,
    dotnet: unreadableRequest(inner),
  });
}

/** An XmlException of the reader: the body is not well-formed XML. */
const malformed = (message: string): RequestError =>
  unreadable(message, { malformed: true, inner: { type: 'System.Xml.XmlException', message } });

interface OpenParam {
  readonly spec: ParamSpec;
  readonly text: string[];
  /** Set for a byte[] parameter: its text is decoded as it arrives instead of being kept. */
  readonly base64: Base64Decoder | undefined;
  /** Where its text goes while it bypasses the parser, which lasts only until the parser is given any of it. */
  streamTo: Base64Decoder | undefined;
}

/**
 * Reads `Envelope/Body/{Op}/{param}` as it streams in. Parameters bind by exact name in the service namespace;
 * anything else is ignored, so it reads as missing. Only the parameters' text is kept, and base64 text is decoded
 * as it arrives: the parser is fed up to each `>`, so once a byte[] element opens, its text can go straight to
 * the decoder until the next `<`.
 */
class SoapBodyReader {
  readonly #parser: SafeParser;
  readonly #utf8 = new TextDecoder('utf-8', { fatal: true });
  readonly #params = new Map<string, ParamValue>();
  readonly #version: SoapVersion;
  readonly #spec: OperationSpec;
  #depth = 0;
  #sawRoot = false;
  #inBody = false;
  #sawOperation = false;
  #param: OpenParam | undefined;

  /** Bytes a byte[] parameter can decode to at most, when the body's length is known (0 if not). */
  readonly #base64Bytes: number;

  constructor(version: SoapVersion, spec: OperationSpec, bodyBytes: number) {
    this.#version = version;
    this.#spec = spec;
    this.#base64Bytes = Math.floor((bodyBytes / 4) * 3);
    this.#parser = createSafeParser();
    this.#parser.on('opentag', (tag) => this.#open(tag.local, tag.uri, Object.values(tag.attributes)));
    this.#parser.on('text', (text) => this.#text(text));
    this.#parser.on('cdata', (text) => this.#text(text));
    this.#parser.on('closetag', () => this.#close());
  }

  write(bytes: Buffer): void {
    let rest = bytes;
    while (rest.length > 0) {
      const decoder = this.#depth === 4 ? this.#param?.streamTo : undefined;
      if (decoder !== undefined) {
        rest = streamBase64(decoder, rest);
        if (rest.length === 0) return;
      }
      const cut = rest.indexOf(GT) + 1 || rest.length;
      const piece = rest.subarray(0, cut);
      // Once the parser has seen part of a parameter's content (a CDATA section, say), it must see all of it.
      if (this.#param !== undefined) this.#param.streamTo = undefined;
      const text = decode(this.#utf8, piece);
      this.#parse(() => this.#parser.write(text));
      rest = rest.subarray(cut);
    }
  }

  finish(): Params {
    const tail = decode(this.#utf8);
    this.#parse(() => this.#parser.write(tail).close());
    if (this.#depth === 0 && !this.#sawRoot) throw malformed('Root element is missing.');
    if (!this.#sawOperation) throw unreadable(`The SOAP Body holds no ${this.#spec.name} element.`);
    return this.#params;
  }

  /** Parser errors (malformed XML, a DOCTYPE) and binding errors both make the request unreadable. */
  #parse(step: () => void): void {
    try {
      step();
    } catch (error) {
      if (error instanceof RequestError) throw this.#located(error);
      throw malformed(error instanceof Error ? error.message : String(error));
    }
  }

  /** A value that did not convert, as XmlSerializer reports it: inside an error at a position of the document. */
  #located(error: RequestError): RequestError {
    if (error.malformed || error.dotnet === undefined || error.dotnet.type.endsWith('SoapException')) return error;
    const located = xmlDocumentError(this.#parser.line, this.#parser.column, error.dotnet);
    return new RequestError(error.message, error.faultCode, { dotnet: unreadableRequest(located) });
  }

  #open(local: string, uri: string, attributes: readonly { uri: string; local: string; value: string }[]): void {
    this.#depth += 1;
    checkDepth(this.#depth);
    if (this.#depth === 1) this.#checkEnvelope(local, uri);
    else if (this.#depth === 2) this.#inBody = local === 'Body' && uri === ENVELOPE_NAMESPACES[this.#version];
    else if (this.#depth === 3 && this.#inBody && !this.#sawOperation) this.#checkOperation(local, uri);
    else if (this.#depth === 4 && this.#inBody) this.#startParam(local, uri, attributes);
  }

  #checkEnvelope(local: string, uri: string): void {
    this.#sawRoot = true;
    if (local !== 'Envelope') throw malformed('The root element is not a SOAP Envelope.');
    if (uri === ENVELOPE_NAMESPACES[this.#version]) return;
    const expected = ENVELOPE_NAMESPACES[this.#version];
    throw new RequestError(`The envelope namespace '${uri}' is not the expected '${expected}'.`, 'VersionMismatch', {
      dotnet: envelopeMismatch(uri, expected),
    });
  }

  #checkOperation(local: string, uri: string): void {
    if (local !== this.#spec.name || uri !== SERVICE_NAMESPACE) {
      const position = [this.#parser.line, this.#parser.column] as const;
      const notExpected = { type: 'System.InvalidOperationException', message: `<${local} xmlns='${uri}'> was not expected.` };
      throw unreadable(`The Body element {${uri}}${local} is not {${SERVICE_NAMESPACE}}${this.#spec.name}.`, {
        inner: xmlDocumentError(...position, notExpected),
      });
    }
    this.#sawOperation = true;
  }

  #startParam(local: string, uri: string, attributes: readonly { uri: string; local: string; value: string }[]): void {
    const spec = uri === SERVICE_NAMESPACE ? this.#spec.params.find((param) => param.name === local) : undefined;
    const isNil = attributes.some((a) => a.uri === XSI_NAMESPACE && a.local === 'nil' && /^(true|1)$/.test(a.value.trim()));
    if (spec === undefined || isNil || this.#params.has(spec.name)) return;
    const base64 = spec.type === 'base64' ? new Base64Decoder(this.#base64Bytes) : undefined;
    this.#param = { spec, text: [], base64, streamTo: base64 };
  }

  #text(text: string): void {
    if (this.#depth !== 4 || this.#param === undefined) return;
    if (this.#param.base64 === undefined) this.#param.text.push(text);
    else this.#param.base64.push(text);
  }

  #close(): void {
    const param = this.#param;
    if (this.#depth === 4 && param !== undefined) {
      this.#params.set(param.spec.name, this.#value(param));
      this.#param = undefined;
    }
    this.#depth -= 1;
  }

  #value(param: OpenParam): ParamValue {
    if (param.base64 === undefined) return bindValue(param.spec, param.text.join(''), 'soap');
    const bytes = param.base64.finish();
    if (bytes === undefined) throw invalidValue(param.spec, 'soap');
    return bytes;
  }
}

/**
 * Decodes the content up to the next tag and returns the rest, which starts with that tag. Content with an entity
 * reference or a byte outside ASCII is returned whole, for the parser (which reads the UTF-8 and the entities).
 */
function streamBase64(decoder: Base64Decoder, bytes: Buffer): Buffer {
  const end = bytes.indexOf(LT);
  const content = end === -1 ? bytes : bytes.subarray(0, end);
  if (content.includes(AMPERSAND) || !isAscii(content)) return bytes;
  decoder.pushAscii(content);
  return end === -1 ? EMPTY : bytes.subarray(end);
}

function decode(decoder: TextDecoder, piece?: Buffer): string {
  try {
    return decoder.decode(piece, { stream: piece !== undefined });
  } catch {
    throw malformed('The body is not valid UTF-8.');
  }
}

/** Parses a streamed SOAP request body (of `bodyBytes`, when its length is declared; 0 if not) into the operation's parameters. */
export async function readSoapParams(
  body: AsyncIterable<Buffer>,
  version: SoapVersion,
  spec: OperationSpec,
  bodyBytes = 0,
): Promise<Params> {
  const reader = new SoapBodyReader(version, spec, bodyBytes);
  for await (const piece of body) reader.write(piece);
  return reader.finish();
}

/** Stops the pre-scan once the request element is known. */
class Found extends Error {}

/**
 * The first element of the SOAP Body, `{uri}local`, as ASMX's GetRequestElement finds it to route a request that
 * names no usable action. Undefined when there is none (an empty Body, or no Envelope). Not well-formed XML
 * before that point is a `malformed` request error.
 */
export function requestElementOf(body: readonly Buffer[]): { readonly local: string; readonly uri: string } | undefined {
  const parser = createSafeParser();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let depth = 0;
  let inBody = false;
  let envelope = '';
  let found: { local: string; uri: string } | undefined;
  parser.on('opentag', (tag) => {
    depth += 1;
    checkDepth(depth);
    if (depth === 1) envelope = tag.local === 'Envelope' ? tag.uri : '';
    else if (depth === 2) inBody = envelope !== '' && tag.local === 'Body' && tag.uri === envelope;
    else if (depth === 3 && inBody) {
      found = { local: tag.local, uri: tag.uri };
      throw new Found();
    }
  });
  parser.on('closetag', () => {
    depth -= 1;
  });
  try {
    for (const piece of body) parser.write(decode(decoder, piece));
    parser.write(decode(decoder));
    parser.close();
  } catch (error) {
    if (error instanceof Found) return found;
    if (error instanceof RequestError) throw error;
    throw malformed(error instanceof Error ? error.message : String(error));
  }
  return found;
}
