// Converts between typed values and what travels on the wire, as the generated descriptors say:
// request arguments in the documented order, result attributes read by name (exact first, then
// case-insensitively, as the service's documentation mixes spellings).
import type { AttributeDescriptor, OperationDescriptor, ParameterDescriptor } from '../../generated/srv.js';
import { InvalidArgumentError, malformedReply, type MalformedReplyError } from '../errors.js';

export type WireValue = string | number | boolean;
/** A checked argument: a wire value, or bytes, which only a payload request carries (see PAYLOAD_REQUESTS). */
export type ArgumentValue = WireValue | Uint8Array;

/** A result element as the SOAP runtime hands it over: attributes and text content. */
export interface RawElement {
  attributes: Readonly<Record<string, string>>;
  text: string;
}

const INTEGER_RANGE = { int: [-2147483648, 2147483647], short: [-32768, 32767] } as const;
// Characters XML 1.0 cannot carry; a string holding one would make the whole envelope invalid.
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The request's arguments, checked and in the documented parameter order. */
export function encodeArguments(op: OperationDescriptor, request: object | undefined): Record<string, ArgumentValue> {
  const values = (request ?? {}) as Record<string, unknown>;
  for (const name of Object.keys(values)) {
    if (!op.parameters.some((p) => p.name === name)) throw new InvalidArgumentError(name, 'is not a parameter of this operation', op.name);
  }
  const args: Record<string, ArgumentValue> = {};
  for (const parameter of op.parameters) {
    const value = values[parameter.name];
    if (value === undefined || value === null) {
      if (parameter.required) throw new InvalidArgumentError(parameter.name, 'is required', op.name);
      continue;
    }
    args[parameter.name] = encodeValue(parameter, value, op.name);
  }
  return args;
}

/** Refuses a string that XML 1.0 cannot carry (control characters, U+FFFE/U+FFFF, lone surrogates), naming `argument`. */
export function checkXmlText(value: string, argument: string, operation?: string): void {
  const bad = NOT_XML_CHAR.exec(value);
  if (!bad) return;
  const code = `U+${(bad[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
  throw new InvalidArgumentError(argument, `contains ${code} at position ${bad.index}, a character XML cannot carry`, operation);
}

function encodeValue(parameter: ParameterDescriptor, value: unknown, operation: string): ArgumentValue {
  const invalid = (problem: string) => new InvalidArgumentError(parameter.name, problem, operation);
  switch (parameter.kind) {
    case 'string':
      if (typeof value !== 'string') throw invalid('must be a string');
      checkXmlText(value, parameter.name, operation);
      return value;
    case 'int':
    case 'short': {
      const [min, max] = INTEGER_RANGE[parameter.kind];
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
        throw invalid(`must be an integer from ${min} to ${max}`);
      }
      return value;
    }
    case 'decimal':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid('must be a finite number');
      return value;
    case 'boolean':
    case 'flag':
      if (typeof value !== 'boolean') throw invalid('must be a boolean');
      return value;
    case 'base64Binary':
      if (!(value instanceof Uint8Array)) throw invalid('must be a Buffer');
      return value;
  }
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a handler or ticket has the service's GUID form. */
export function isGuid(value: unknown): value is string {
  return typeof value === 'string' && GUID.test(value);
}

/** Reads an attribute by its exact name, else case-insensitively. */
export function attributeOf(element: RawElement, name: string): string | undefined {
  const exact = element.attributes[name];
  if (exact !== undefined) return exact;
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(element.attributes)) {
    if (key.toLowerCase() === lower) return value;
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

/** The handler a grant names (UploadHandler, downloadhandler), so that even a malformed grant gets it deleted. */
function handlerNamedIn(element: RawElement): string | undefined {
  const name = Object.keys(element.attributes).find((key) => /handler$/i.test(key));
  return name === undefined ? undefined : element.attributes[name];
}
