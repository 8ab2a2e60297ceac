import { crc32 } from 'node:zlib';

/** Standard CRC-32 (the service's algorithm), continued from `initial` over each part in turn. */
export function crc32Of(parts: readonly Uint8Array[], initial = 0): number {
  return parts.reduce((crc, part) => crc32(part, crc), initial) >>> 0;
}

/** Replies carry CRCs as eight lower-case hex digits, like the documentation's examples. */
export function crcHex(crc: number): string {
  return (crc >>> 0).toString(16).padStart(8, '0');
}

/** Incoming CRCs are read in any case, with or without leading zeros; undefined when not hex. */
export function parseHexCrc(text: string): number | undefined {
  const trimmed = text.trim();
  return /^[0-9a-fA-F]{1,8}$/.test(trimmed) ? Number.parseInt(trimmed, 16) >>> 0 : undefined;
}
