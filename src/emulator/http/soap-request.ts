import type { IncomingHttpHeaders } from 'node:http';
import { TextDecoder } from 'node:util';
import { findOperation } from '../operations.js';
import type { OperationSpec, ParamSpec } from '../operations.js';
import type { ParamValue, Params } from '../params.js';
import { createSafeParser } from '../xml/safe-parser.js';
import type { SafeParser } from '../xml/safe-parser.js';
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

/** Like ASMX, the action must be exactly the service namespace followed by an operation name. */
export function operationOfAction(action: string): OperationSpec | undefined {
  return action.startsWith(SERVICE_NAMESPACE) ? findOperation(action.slice(SERVICE_NAMESPACE.length)) : undefined;
}

const unreadable = (message: string): RequestError => new RequestError(`Server was unable to read request. ${message}`);

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
  readonly #params = new Map<string, ParamValue>();
  readonly #version: SoapVersion;
  readonly #spec: OperationSpec;
  #depth = 0;
  #inBody = false;
  #sawOperation = false;
  #param: OpenParam | undefined;

  constructor(version: SoapVersion, spec: OperationSpec) {
    this.#version = version;
    this.#spec = spec;
    this.#parser = createSafeParser();
    this.#parser.on('opentag', (tag) => this.#open(tag.local, tag.uri, Object.values(tag.attributes)));
    this.#parser.on('text', (text) => this.#text(text));
    this.#parser.on('cdata', (text) => this.#text(text));
    this.#parser.on('closetag', () => this.#close());
  }

  write(text: string): void {
    let rest = text;
    while (rest !== '') {
      const decoder = this.#depth === 4 ? this.#param?.streamTo : undefined;
      if (decoder !== undefined) {
        rest = streamBase64(decoder, rest);
        if (rest === '') return;
      }
      const cut = rest.indexOf('>') + 1 || rest.length;
      const piece = rest.slice(0, cut);
      // Once the parser has seen part of a parameter's content (a CDATA section, say), it must see all of it.
      if (this.#param !== undefined) this.#param.streamTo = undefined;
      this.#parse(() => this.#parser.write(piece));
      rest = rest.slice(cut);
    }
  }

  finish(): Params {
    this.#parse(() => this.#parser.close());
    if (!this.#sawOperation) throw unreadable(`The SOAP Body holds no ${this.#spec.name} element.`);
    return this.#params;
  }

  /** Parser errors (malformed XML, a DOCTYPE) and binding errors both make the request unreadable. */
  #parse(step: () => void): void {
    try {
      step();
    } catch (error) {
      if (error instanceof RequestError) throw error;
      throw unreadable(error instanceof Error ? error.message : String(error));
    }
  }

  #open(local: string, uri: string, attributes: readonly { uri: string; local: string; value: string }[]): void {
    this.#depth += 1;
    if (this.#depth === 1) this.#checkEnvelope(local, uri);
    else if (this.#depth === 2) this.#inBody = local === 'Body' && uri === ENVELOPE_NAMESPACES[this.#version];
    else if (this.#depth === 3 && this.#inBody && !this.#sawOperation) this.#checkOperation(local, uri);
    else if (this.#depth === 4 && this.#inBody) this.#startParam(local, uri, attributes);
  }

  #checkEnvelope(local: string, uri: string): void {
    if (local !== 'Envelope') throw unreadable('The root element is not a SOAP Envelope.');
    if (uri === ENVELOPE_NAMESPACES[this.#version]) return;
    const expected = ENVELOPE_NAMESPACES[this.#version];
    throw new RequestError(`The envelope namespace '${uri}' is not the expected '${expected}'.`, 'VersionMismatch');
  }

  #checkOperation(local: string, uri: string): void {
    if (local !== this.#spec.name || uri !== SERVICE_NAMESPACE) {
      throw unreadable(`The Body element {${uri}}${local} is not {${SERVICE_NAMESPACE}}${this.#spec.name}.`);
    }
    this.#sawOperation = true;
  }

  #startParam(local: string, uri: string, attributes: readonly { uri: string; local: string; value: string }[]): void {
    const spec = uri === SERVICE_NAMESPACE ? this.#spec.params.find((param) => param.name === local) : undefined;
    const isNil = attributes.some((a) => a.uri === XSI_NAMESPACE && a.local === 'nil' && /^(true|1)$/.test(a.value.trim()));
    if (spec === undefined || isNil || this.#params.has(spec.name)) return;
    const base64 = spec.type === 'base64' ? new Base64Decoder() : undefined;
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
    if (bytes === undefined) throw invalidValue(param.spec);
    return bytes;
  }
}

/**
 * Decodes the text up to the next tag and returns the rest, which starts with that tag; text with an entity
 * reference is returned whole, for the parser.
 */
function streamBase64(decoder: Base64Decoder, text: string): string {
  const end = text.indexOf('<');
  const content = end === -1 ? text : text.slice(0, end);
  if (content.includes('&')) return text;
  decoder.push(content);
  return end === -1 ? '' : text.slice(end);
}

function decode(decoder: TextDecoder, piece?: Buffer): string {
  try {
    return decoder.decode(piece, { stream: piece !== undefined });
  } catch {
    throw unreadable('The body is not valid UTF-8.');
  }
}

/** Parses a streamed SOAP request body into the operation's parameters. */
export async function readSoapParams(
  body: AsyncIterable<Buffer>,
  version: SoapVersion,
  spec: OperationSpec,
): Promise<Params> {
  const reader = new SoapBodyReader(version, spec);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for await (const piece of body) reader.write(decode(decoder, piece));
  reader.write(decode(decoder));
  return reader.finish();
}
