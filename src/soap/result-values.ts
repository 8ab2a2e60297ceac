// A result element's values, read as the generated descriptors say: attributes by name (exact
// first, then case-insensitively, as the service's documentation mixes spellings), typed; the
// required ones must be there, the advisory ones may be missing or malformed.
import type { AttributeDescriptor, OperationDescriptor } from '../../generated/srv.js';
import { malformedReply, type MalformedReplyError } from '../errors.js';

/** A result element as the SOAP runtime hands it over: attributes and text content. */
export interface RawElement {
  attributes: Readonly<Record<string, string>>;
  text: string;
}

/** Reads an attribute by its exact name, else by its local name case-insensitively. */
export function attributeOf(element: RawElement, name: string): string | undefined {
  const exact = element.attributes[name];
  if (exact !== undefined) return exact;
  const lower = name.toLowerCase();
  // By local name, in any case: a serializer may qualify an attribute with a prefix (a:ticket).
  for (const [key, value] of Object.entries(element.attributes)) {
    if (key.replace(/^[^:]*:/, '').toLowerCase() === lower) return value;
  }
  return undefined;
}

/** true/false in any case; anything else is not a boolean. */
export function parseFlag(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  const lower = value.trim().toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  return undefined;
}

/**
 * The typed result: every declared attribute that is present, converted. Only the required ones
 * (what a workflow cannot do without) must be there and well-formed; an advisory attribute that is
 * missing or does not parse is left out, and anything undeclared is ignored.
 * `payload` is the element's base64 text, already cut out of the reply and decoded.
 */
export function decodeResult(op: OperationDescriptor, element: RawElement, payload?: Buffer): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const attribute of op.result.attributes) {
    const raw = attributeOf(element, attribute.name);
    if (raw === undefined) {
      if (attribute.required) throw malformed(op, `has no ${attribute.name} attribute`);
      continue;
    }
    const value = decodeValue(attribute, raw);
    if (value === undefined && attribute.required) throw malformed(op, `has a malformed ${attribute.name} (${JSON.stringify(raw.slice(0, 40))})`, handlerNamedIn(element));
    if (value !== undefined) result[attribute.name] = value;
  }
  if (op.result.text) {
    result['content'] = payload ?? decodeValue({ name: 'content', kind: op.result.text, required: true }, element.text);
  }
  return result;
}

/** The attribute's typed value, or undefined when the text is not of its type. */
function decodeValue(attribute: AttributeDescriptor, raw: string): unknown {
  switch (attribute.kind) {
    case 'string':
      return raw;
    case 'int':
    case 'short':
      return /^\s*[-+]?\d+\s*$/.test(raw) ? Number(raw) : undefined;
    case 'decimal': {
      const number = Number(raw);
      return raw.trim() === '' || !Number.isFinite(number) ? undefined : number;
    }
    case 'boolean':
    case 'flag':
      return parseFlag(raw);
    case 'base64Binary':
      return decodeBase64(raw);
  }
}

/** Base64 text as the service may send it: line breaks and other whitespace are dropped. */
export function decodeBase64(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ''), 'base64');
}

function malformed(op: OperationDescriptor, problem: string, handler?: string): MalformedReplyError {
  return malformedReply(op.name, `result element ${problem}`, handler);
}

/** The handler a grant names (UploadHandler, downloadhandler), so that even a malformed or failing grant gets it deleted. */
export function handlerNamedIn(element: RawElement): string | undefined {
  const name = Object.keys(element.attributes).find((key) => /handler$/i.test(key));
  return name === undefined ? undefined : element.attributes[name];
}
