// Request envelopes, written from the operation's descriptor: its element in the service namespace,
// the parameters in the documented order with their exact names, every string escaped by
// xml-escape.ts. A base64Binary parameter stays bytes until the body is written, and then its
// base64 goes slice by slice into the body's Buffer, so a chunk never becomes one string.
import { TARGET_NAMESPACE, type OperationDescriptor, type SoapVersion } from '../../generated/srv.js';
import type { ArgumentValue } from './arguments.js';
import type { Take } from './payload-cut.js';
import { escapeText, escapeXml } from './xml-escape.js';

/** A request's HTTP headers and its envelope, cut around the payload's base64 text when it has one. */
export interface RequestEnvelope {
  readonly headers: Readonly<Record<string, string>>;
  /** The envelope up to the payload's text (the whole envelope without a payload), UTF-8. */
  readonly head: Buffer;
  /** The bytes the envelope carries in base64, if any. */
  readonly payload: Uint8Array | undefined;
  /** The envelope after the payload's text, UTF-8. */
  readonly tail: Buffer;
}

const ENVELOPE_NAMESPACES: { readonly [V in SoapVersion]: string } = {
  '1.1': 'http://schemas.xmlsoap.org/soap/envelope/',
  '1.2': 'http://www.w3.org/2003/05/soap-envelope',
};
const ENVELOPE_TAIL = '</soap:Body></soap:Envelope>';
/** Raw bytes per slice: a multiple of 3, so that slices join without padding; 64 KiB of base64, small enough for V8's young generation. */
const SLICE_BYTES = 48 * 1024;

/** `args` are checked and complete (values.ts encodeArguments); absent optional parameters are left out. */
export function requestEnvelope(op: OperationDescriptor, version: SoapVersion, args: Readonly<Record<string, ArgumentValue>>): RequestEnvelope {
  const before: string[] = [`<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${ENVELOPE_NAMESPACES[version]}"><soap:Body>`];
  before.push(`<${op.name} xmlns="${escapeXml(TARGET_NAMESPACE)}">`);
  let payload: Uint8Array | undefined;
  const after: string[] = [];
  for (const { name } of op.parameters) {
    const value = args[name];
    if (value === undefined) continue;
    const parts = payload === undefined ? before : after;
    if (value instanceof Uint8Array && payload === undefined) {
      before.push(`<${name}>`);
      payload = value;
      after.push(`</${name}>`);
    } else {
      parts.push(`<${name}>${textOf(value)}</${name}>`);
    }
  }
  after.push(`</${op.name}>${ENVELOPE_TAIL}`);
  return { headers: soapHeaders(version, op.soapAction), head: Buffer.from(before.join('')), payload, tail: Buffer.from(after.join('')) };
}

/**
 * The envelope as the transport sends it, in one Buffer. With a payload, the Buffer comes from
 * `take` (a pool's: the client gives it back once the request is sent), so that a chunk's base64
 * is written into memory the last chunk's already used, and goes to the connection in one write.
 */
export function envelopeBody(envelope: RequestEnvelope, take: Take): Buffer {
  const { head, tail } = envelope;
  if (envelope.payload === undefined) return tail.length === 0 ? head : Buffer.concat([head, tail]);
  const payload = Buffer.from(envelope.payload.buffer, envelope.payload.byteOffset, envelope.payload.byteLength);
  const body = take(head.length + base64Length(payload.length) + tail.length);
  let at = head.copy(body);
  for (let from = 0; from < payload.length; from += SLICE_BYTES) at += body.write(payload.toString('base64', from, Math.min(from + SLICE_BYTES, payload.length)), at, 'latin1');
  tail.copy(body, at);
  return body;
}

/** The length of the base64 text of `bytes` bytes, padding included. */
export function base64Length(bytes: number): number {
  return Math.ceil(bytes / 3) * 4;
}

/** SOAP 1.1 names the action in SOAPAction (quoted); SOAP 1.2 in the Content-Type. */
function soapHeaders(version: SoapVersion, soapAction: string): Record<string, string> {
  return version === '1.1'
    ? { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: `"${soapAction}"` }
    : { 'Content-Type': `application/soap+xml; charset=utf-8; action="${soapAction}"` };
}

function textOf(value: ArgumentValue): string {
  if (typeof value === 'string') return escapeText(value);
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  return String(value);
}
