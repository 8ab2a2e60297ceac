import type { ParamSpec } from '../operations.js';
import type { Binary, ParamValue } from '../params.js';
import { decodeBase64 } from './base64.js';
import { conversionException, formConversionException } from '../profiles/asmx.js';
import type { DotNetException } from '../profiles/asmx.js';
import { RequestError } from './errors.js';

export type Binder = 'soap' | 'form';

const INTEGER_RANGES = {
  int: { min: -2_147_483_648, max: 2_147_483_647 },
  short: { min: -32_768, max: 32_767 },
} as const;

function toInteger(text: string, type: keyof typeof INTEGER_RANGES): number | undefined {
  const trimmed = text.trim();
  if (!/^[+-]?\d+$/.test(trimmed)) return undefined;
  const value = Number(trimmed);
  const { min, max } = INTEGER_RANGES[type];
  return value >= min && value <= max ? value : undefined;
}

/** xsd:boolean over SOAP; .NET's bool.Parse (any case, no digits) over GET/POST. */
function toBoolean(text: string, binder: Binder): boolean | undefined {
  const trimmed = text.trim();
  const word = binder === 'soap' ? trimmed : trimmed.toLowerCase();
  if (word === 'true' || (binder === 'soap' && word === '1')) return true;
  if (word === 'false' || (binder === 'soap' && word === '0')) return false;
  return undefined;
}

const toBinary = (raw: string | Binary): Binary | undefined => (typeof raw === 'string' ? decodeBase64(raw) : raw);

const asText = (raw: string | Binary): string => (typeof raw === 'string' ? raw : Buffer.concat(raw.parts).toString('utf8'));

function convert(spec: ParamSpec, raw: string | Binary, binder: Binder): ParamValue | undefined {
  switch (spec.type) {
    case 'string':
      return asText(raw);
    case 'base64':
      return toBinary(raw);
    case 'boolean':
      return toBoolean(asText(raw), binder);
    case 'int':
    case 'short':
      return toInteger(asText(raw), spec.type);
  }
}

/** What .NET throws for the value: XmlSerializer's XmlConvert over SOAP, ScalarFormatter over GET/POST. */
function dotnetProblem(spec: ParamSpec, text: string, binder: Binder): DotNetException | undefined {
  if (spec.type === 'string') return undefined;
  if (binder === 'form') return formConversionException(spec.type, text);
  // A bad base64Binary is an XmlException of the reader (malformed), not a conversion.
  return spec.type === 'base64' ? undefined : conversionException(spec.type, text.trim());
}

/** A value that does not convert to its parameter's type; `text` is the value received, when it is text. */
export function invalidValue(spec: ParamSpec, binder: Binder, text = ''): RequestError {
  return new RequestError(`Server was unable to read request: the value of ${spec.name} is not a valid ${spec.type}.`, 'Client', {
    malformed: binder === 'soap' && spec.type === 'base64',
    dotnet: dotnetProblem(spec, text, binder),
  });
}

/** Converts a received value to the parameter's type; a value that does not convert is a request error. */
export function bindValue(spec: ParamSpec, raw: string | Binary, binder: Binder): ParamValue {
  const value = convert(spec, raw, binder);
  if (value === undefined) throw invalidValue(spec, binder, asText(raw));
  return value;
}
