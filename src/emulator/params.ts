/** Bound, typed operation parameters, whatever protocol carried them. */
import { crc32Of } from './crc.js';

/** A byte[] parameter kept as the pieces it arrived in, so a large chunk is never copied into one buffer. */
export interface Binary {
  readonly parts: readonly Buffer[];
  readonly length: number;
  /** CRC-32 of the bytes; a decoder that computed it while the bytes were fresh passes it on. */
  readonly crc32: number;
  /** Gives the parts' memory back for reuse. The HTTP layer calls it once the call is over; operations never do. */
  readonly release?: () => void;
}

export type ParamValue = string | number | boolean | Binary;

/** Keyed by the documented parameter name; a missing key is a parameter that was not sent. */
export type Params = ReadonlyMap<string, ParamValue>;

export const EMPTY_BINARY: Binary = { parts: [], length: 0, crc32: 0 };

export function binaryOf(parts: readonly Buffer[], crc32 = crc32Of(parts), release?: () => void): Binary {
  const binary = { parts, length: parts.reduce((sum, part) => sum + part.length, 0), crc32 };
  return release === undefined ? binary : { ...binary, release };
}

/** Gives the memory of every byte[] parameter back for reuse: the call is over. */
export function releaseBinaries(params: Params): void {
  for (const value of params.values()) if (typeof value === 'object') value.release?.();
}

function typed<T extends ParamValue>(params: Params, name: string, guard: (value: ParamValue) => value is T): T | undefined {
  const value = params.get(name);
  if (value === undefined) return undefined;
  if (!guard(value)) throw new Error(`parameter ${name} was bound with the wrong type`);
  return value;
}

const isString = (value: ParamValue): value is string => typeof value === 'string';
const isNumber = (value: ParamValue): value is number => typeof value === 'number';
const isBoolean = (value: ParamValue): value is boolean => typeof value === 'boolean';
const isBinary = (value: ParamValue): value is Binary => typeof value === 'object';

/** A missing string reads as '' (a null string on the server). */
export const textParam = (params: Params, name: string): string => typed(params, name, isString) ?? '';
/** A missing int reads as 0, as a .NET value type would. */
export const intParam = (params: Params, name: string): number => typed(params, name, isNumber) ?? 0;
export const flagParam = (params: Params, name: string): boolean => typed(params, name, isBoolean) ?? false;
export const binaryParam = (params: Params, name: string): Binary => typed(params, name, isBinary) ?? EMPTY_BINARY;
