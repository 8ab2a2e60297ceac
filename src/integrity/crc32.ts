// CRC-32 (IEEE, reflected 0xEDB88320) as unsigned numbers, and its hex forms on the wire. Node's
// zlib.crc32 (Node >= 20.15; the package needs 20.19) runs at memory speed; the `crc-32` package
// it replaced is kept as the independent check of its values in the tests.
import { crc32 as zlibCrc32 } from 'node:zlib';
import { malformedReply } from '../errors.js';

/** The CRC-32 of `data`, continuing from `previous` (the CRC of what came before). */
export function crc32(data: Uint8Array, previous = 0): number {
  return zlibCrc32(data, previous >>> 0) >>> 0;
}

/**
 * The CRC-32 of A followed by B, from the CRC of each and B's length, without reading a byte
 * again (zlib's crc32_combine): a transfer gets its whole-file CRC from its chunks' CRCs.
 */
export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  return (multiplyModP(xPower8n(lengthB), crcA) ^ crcB) >>> 0;
}

/** The CRC polynomial, reflected. */
const POLY = 0xedb88320;

/** a × b modulo the polynomial, both as reflected polynomials (bit 31 is x⁰). */
function multiplyModP(a: number, b: number): number {
  let product = 0;
  let factor = b;
  for (let bit = 0x80000000; bit !== 0; bit >>>= 1) {
    if (a & bit) product ^= factor;
    factor = factor & 1 ? (factor >>> 1) ^ POLY : factor >>> 1;
  }
  return product >>> 0;
}

/** x^(2^k) modulo the polynomial, for k = 0…31. */
const X_POWER_2K = Array.from({ length: 32 }, () => 0);
X_POWER_2K[0] = 1 << 30;
for (let k = 1; k < 32; k++) X_POWER_2K[k] = multiplyModP(X_POWER_2K[k - 1] as number, X_POWER_2K[k - 1] as number);

/** x^(8n) modulo the polynomial: what appending n bytes multiplies a CRC by. */
function xPower8n(n: number): number {
  let power = 0x80000000;
  for (let rest = n, k = 3; rest > 0; rest = Math.floor(rest / 2), k++) {
    if (rest % 2 === 1) power = multiplyModP(X_POWER_2K[k % 32] as number, power);
  }
  return power;
}

/** Upper-case hex, as the vendor sample sends it: unpadded unless `pad`, for a server that wants 8 digits (docs/protocol.md#per-chunk). */
export function crcToWireHex(crc: number, pad = false): string {
  const hex = (crc >>> 0).toString(16).toUpperCase();
  return pad ? hex.padStart(8, '0') : hex;
}

/** Eight lower-case hex digits, for reports. */
export function crcToHex(crc: number): string {
  return (crc >>> 0).toString(16).padStart(8, '0');
}

/** A CRC the server sent, in any case, with or without leading zeros; undefined if it is not hex. */
export function parseHexCrc(text: string | undefined): number | undefined {
  const trimmed = text?.trim() ?? '';
  if (!/^[0-9a-fA-F]{1,8}$/.test(trimmed)) return undefined;
  return Number.parseInt(trimmed, 16) >>> 0;
}

/** A CRC-32 attribute of a reply: undefined when absent or empty, and malformed when it is not hex. */
export function crcAttribute(operation: string, attribute: string, text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const crc = parseHexCrc(text);
  if (crc === undefined) throw malformedReply(operation, `${attribute} "${text}" is not hex`);
  return crc;
}
