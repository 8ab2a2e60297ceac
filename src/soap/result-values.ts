// A result element's values, read as the generated descriptors say: attributes and child elements
// by name (exact first, then case-insensitively, as the service's documentation mixes spellings),
// typed; the required ones must be there, the advisory ones may be missing or malformed.
import type { ChildDescriptor, OperationDescriptor, RecordDescriptor, ValueKind } from '../../generated/srv.js';
import { malformedReply, type MalformedReplyError } from '../errors.js';

/** An element as a binding read it: its local name, attributes, own text and child elements. */
export interface RawElement {
  name: string;
  attributes: Readonly<Record<string, string>>;
  text: string;
  /** In document order; the SOAP binding's are grouped by name. */
  children: readonly RawElement[];
}

/** A result holds records a few levels deep; elements nested deeper than this are part of no result. */
export const MAX_RESULT_DEPTH = 32;

/** A listing's items and their fields come to far fewer elements; a reply of more is refused. */
export const MAX_RESULT_ELEMENTS = 250_000;

/**
 * Reads an attribute by its exact name, else by its local name case-insensitively, else the text
 * of a child element of that name with no children of its own: serializers qualify attributes with
 * a prefix (a:ticket), and some write a value as an element (<ticket>…</ticket>).
 */
export function attributeOf(element: RawElement, name: string): string | undefined {
  const exact = element.attributes[name];
  if (exact !== undefined) return exact;
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(element.attributes)) {
    if (key.replace(/^[^:]*:/, '').toLowerCase() === lower) return value;
  }
  return element.children.find((child) => child.name.toLowerCase() === lower && child.children.length === 0)?.text;
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
 * The typed result: every declared attribute and child element that is present, converted, child
 * records and lists of them read the same way. Only the required ones (what a workflow cannot do
 * without) must be there and well-formed; an advisory one that is missing or does not parse is left
 * out, and anything undeclared is ignored. `payload` is the element's base64 text, already cut out
 * of the reply and decoded.
 */
export function decodeResult(op: OperationDescriptor, element: RawElement, payload?: Buffer): Record<string, unknown> {
  const fail: Failure = (problem, value) => malformedReply(op.name, problem, value === undefined ? undefined : handlerNamedIn(element));
  const result = decodeRecord(op.result, element, 'result element', fail);
  if (op.result.text) {
    result['content'] = payload ?? decodeValue(op.result.text, element.text);
  }
  return result;
}

/** The error of a required value that is missing, or (with the value's text) malformed. */
type Failure = (problem: string, value?: string) => MalformedReplyError;

function decodeRecord(record: RecordDescriptor, element: RawElement, where: string, fail: Failure): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const attribute of record.attributes) {
    const raw = attributeOf(element, attribute.name);
    const value = raw === undefined ? undefined : decodeValue(attribute.kind, raw);
    if (value !== undefined) result[attribute.name] = value;
    else if (attribute.required) throw raw === undefined ? fail(`${where} has no ${attribute.name} attribute`) : malformedValue(fail, where, attribute.name, raw);
  }
  for (const child of record.children) {
    const value = decodeChild(child, element, where, fail);
    if (value !== undefined) result[child.name] = value;
  }
  return result;
}

function decodeChild(child: ChildDescriptor, element: RawElement, where: string, fail: Failure): unknown {
  if (child.shape === 'list' && child.item === null) return decodeList(child.record, element, child.name, `${where}'s ${child.name}`, fail);
  const found = childrenNamed(element, child.name)[0];
  if (found === undefined) {
    if (child.required) throw fail(`${where} has no ${child.name} element`);
    return undefined;
  }
  switch (child.shape) {
    case 'value': {
      const value = decodeValue(child.kind, found.text);
      if (value === undefined && child.required) throw malformedValue(fail, where, child.name, found.text);
      return value;
    }
    case 'record':
      return decodeRecord(child.record, found, `${where}'s ${child.name}`, fail);
    case 'list':
      return decodeList(child.record, found, child.item ?? child.name, `${where}'s ${child.name}`, fail);
  }
}

/** The records named `name` inside `holder`, numbered from 1 in what an error says. */
function decodeList(record: RecordDescriptor, holder: RawElement, name: string, where: string, fail: Failure): Array<Record<string, unknown>> {
  return childrenNamed(holder, name).map((item, index) => decodeRecord(record, item, `${where} ${index + 1}`, fail));
}

function malformedValue(fail: Failure, where: string, name: string, raw: string): MalformedReplyError {
  return fail(`${where} has a malformed ${name} (${JSON.stringify(raw.slice(0, 40))})`, raw);
}

/** The child elements named `name`: exactly, else case-insensitively, as attributes are read. */
function childrenNamed(element: RawElement, name: string): RawElement[] {
  const exact = element.children.filter((child) => child.name === name);
  if (exact.length > 0) return exact;
  const lower = name.toLowerCase();
  return element.children.filter((child) => child.name.toLowerCase() === lower);
}

/** The value's typed form, or undefined when the text is not of its kind. */
function decodeValue(kind: ValueKind, raw: string): unknown {
  switch (kind) {
    case 'string':
      return raw;
    case 'int':
    case 'short':
      return INTEGER.test(raw) ? Number(raw) : undefined;
    case 'long': {
      const number = Number(raw);
      return INTEGER.test(raw) && Number.isSafeInteger(number) ? number : undefined;
    }
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

const INTEGER = /^\s*[-+]?\d+\s*$/;

/** Base64 text as the service may send it: line breaks and other whitespace are dropped. */
export function decodeBase64(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ''), 'base64');
}

/** The handler a grant names (UploadHandler, downloadhandler), so that even a malformed or failing grant gets it deleted. */
export function handlerNamedIn(element: RawElement): string | undefined {
  const name = Object.keys(element.attributes).find((key) => /handler$/i.test(key));
  return name === undefined ? undefined : element.attributes[name];
}
