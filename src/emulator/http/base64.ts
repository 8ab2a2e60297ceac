import { binaryOf } from '../params.js';
import type { Binary } from '../params.js';

const SIGNIFICANT = /^[A-Za-z0-9+/]*=*$/;

/**
 * Strict base64 (whitespace allowed, padding required only at the very end), decoded piece by piece as the text
 * arrives, so a large chunk never exists as one big string.
 */
export class Base64Decoder {
  readonly #parts: Buffer[] = [];
  #carry = '';
  #padding = 0;
  #valid = true;

  push(text: string): void {
    const clean = text.replace(/[\t\n\r ]+/g, '');
    if (!this.#valid || clean === '') return;
    const padding = clean.length - clean.replace(/=+$/, '').length;
    this.#valid = SIGNIFICANT.test(clean) && (this.#padding === 0 || padding === clean.length) && this.#padding + padding <= 2;
    this.#padding += padding;
    const all = this.#carry + clean;
    const whole = all.length - (all.length % 4);
    if (whole > 0) this.#parts.push(Buffer.from(all.slice(0, whole), 'base64'));
    this.#carry = all.slice(whole);
  }

  /** The decoded bytes, or undefined when the text was not valid base64. */
  finish(): Binary | undefined {
    return this.#valid && this.#carry === '' ? binaryOf(this.#parts) : undefined;
  }
}

export function decodeBase64(text: string): Binary | undefined {
  const decoder = new Base64Decoder();
  decoder.push(text);
  return decoder.finish();
}
