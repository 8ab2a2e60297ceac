// Request arguments, checked against the operation's descriptor and put in its documented order:
// every string one XML can carry, every number in its type's range, bytes only where a parameter is
// base64Binary.
import type { OperationDescriptor, ParameterDescriptor } from '../../generated/srv.js';
import { InvalidArgumentError } from '../errors.js';

export type WireValue = string | number | boolean;
/** A checked argument: a wire value, or bytes, which only a base64Binary parameter (UploadFileChunk's chunk) carries. */
export type ArgumentValue = WireValue | Uint8Array;

const INTEGER_RANGE = { long: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER], int: [-2147483648, 2147483647], short: [-32768, 32767] } as const;
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
    case 'long':
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
