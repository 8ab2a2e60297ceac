import { crc32 } from 'node:zlib';
import { chunkBuffers } from '../buffer-pool.js';
import { binaryOf } from '../params.js';
import type { Binary } from '../params.js';

const SIGNIFICANT = /^[A-Za-z0-9+/]*=*$/;
const ALPHABET = /^[A-Za-z0-9+/]*$/;
const FIRST_BLOCK_BYTES = 65_536;
const MAX_BLOCK_BYTES = 4_194_304;

const trailingPadding = (quads: string): number => (quads.endsWith('==') ? 2 : quads.endsWith('=') ? 1 : 0);

/** The bytes whole base64 quads (no whitespace, padding at most at their end) decode to. */
const decodedLength = (quads: string): number => (quads.length / 4) * 3 - trailingPadding(quads);

/**
 * Strict base64 (whitespace allowed, padding required only at the very end), decoded piece by piece as the text
 * arrives, so a large chunk never exists as one big string. The bytes go into one block when `expectedBytes` (an
 * upper bound, such as what the request's Content-Length holds) is given and right, into a few growing ones if not.
 */
export class Base64Decoder {
  /** Every block taken from the pool, full or not. */
  readonly #blocks: Buffer[] = [];
  readonly #parts: Buffer[] = [];
  readonly #expectedBytes: number;
  #block: Buffer | undefined;
  #filled = 0;
  /** CRC-32 of the bytes decoded so far, advanced as each piece is written, while the piece is in the cache. */
  #crc = 0;
  #carry = '';
  #padding = 0;
  #valid = true;

  constructor(expectedBytes = 0) {
    this.#expectedBytes = expectedBytes;
  }

  push(text: string): void {
    const clean = text.replace(/[\t\n\r ]+/g, '');
    if (!this.#valid || clean === '') return;
    const padding = clean.length - clean.replace(/=+$/, '').length;
    this.#valid = SIGNIFICANT.test(clean) && (this.#padding === 0 || padding === clean.length) && this.#padding + padding <= 2;
    this.#padding += padding;
    if (!this.#valid) return;
    const all = this.#carry + clean;
    const whole = all.length - (all.length % 4);
    if (whole > 0) this.#write(all.slice(0, whole));
    this.#carry = all.slice(whole);
  }

  /**
   * ASCII text as bytes, as it comes off the wire. Whole quads in canonical form (what an encoder writes: no
   * whitespace, zero unused bits) are decoded at once and checked by encoding them back, which costs far less
   * than matching them; anything else takes the checks of push().
   */
  pushAscii(bytes: Buffer): void {
    if (!this.#valid || bytes.length === 0) return;
    const text = this.#carry + bytes.toString('latin1');
    const whole = text.length - (text.length % 4);
    const rest = text.slice(whole);
    const quads = text.slice(0, whole);
    if (this.#padding === 0 && ALPHABET.test(rest) && this.#writeCanonical(quads)) {
      this.#padding = trailingPadding(quads);
      this.#carry = rest;
      return;
    }
    this.push(bytes.toString('latin1'));
  }

  /**
   * The decoded bytes, or undefined when the text was not valid base64. Their release() gives the decoder's blocks
   * back to the pool; blocks of text that was not valid are simply dropped.
   */
  finish(): Binary | undefined {
    if (!this.#valid || this.#carry !== '') return undefined;
    if (this.#block !== undefined && this.#filled > 0) this.#parts.push(this.#block.subarray(0, this.#filled));
    this.#block = undefined;
    const blocks = this.#blocks.splice(0);
    return binaryOf(this.#parts, this.#crc >>> 0, () => blocks.splice(0).forEach((block) => chunkBuffers.give(block)));
  }

  /** Decodes `quads` if they are canonical; false (nothing written) if not. */
  #writeCanonical(quads: string): boolean {
    if (quads === '') return true;
    const start = this.#reserve(decodedLength(quads));
    const block = this.#block as Buffer;
    const written = block.write(quads, start, 'base64');
    if (block.toString('base64', start, start + written) !== quads) return false;
    this.#written(block, start, written);
    return true;
  }

  #write(quads: string): void {
    const start = this.#reserve(decodedLength(quads));
    const block = this.#block as Buffer;
    this.#written(block, start, block.write(quads, start, 'base64'));
  }

  #written(block: Buffer, start: number, length: number): void {
    this.#crc = crc32(block.subarray(start, start + length), this.#crc);
    this.#filled = start + length;
  }

  /**
   * Where `length` more bytes go: the current block, or a new one: the expected size at first, then twice what came
   * so far (within limits).
   */
  #reserve(length: number): number {
    if (this.#block !== undefined && this.#block.length - this.#filled >= length) return this.#filled;
    if (this.#block !== undefined && this.#filled > 0) this.#parts.push(this.#block.subarray(0, this.#filled));
    const sofar = this.#parts.reduce((sum, part) => sum + part.length, 0);
    const first = this.#block === undefined && sofar === 0 ? this.#expectedBytes : 0;
    this.#block = chunkBuffers.take(Math.max(length, first, Math.min(MAX_BLOCK_BYTES, Math.max(FIRST_BLOCK_BYTES, 2 * sofar))));
    this.#blocks.push(this.#block);
    this.#filled = 0;
    return 0;
  }
}

export function decodeBase64(text: string): Binary | undefined {
  const decoder = new Base64Decoder();
  decoder.push(text);
  return decoder.finish();
}
