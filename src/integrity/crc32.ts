// CRC-32 (IEEE, reflected 0xEDB88320) as unsigned numbers, and its hex forms on the wire.
// `crc-32` returns signed 32-bit integers; everything here is unsigned.
import CRC32 from 'crc-32';

/** The CRC-32 of `data`, continuing from `previous` (the CRC of what came before). */
export function crc32(data: Uint8Array, previous = 0): number {
  return CRC32.buf(data, previous | 0) >>> 0;
}

/** Upper-case hex, as the vendor sample sends it: unpadded unless `pad` (contract C7). */
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
