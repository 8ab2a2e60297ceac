// What a download has verified and stored so far: byte ranges with their CRC-32s, in any order,
// and the unbroken run of them from offset 0, whose CRC-32 is combined in offset order. Only that
// run counts towards the whole file's CRC-32; a range that is not reached exactly is fetched again.
import { crc32Combine } from '../../integrity/crc32.js';

export interface StoredRange {
  readonly offset: number;
  readonly length: number;
  /** The CRC-32 of the range's bytes. */
  readonly crc: number;
}

export class Ledger {
  /** Ranges stored past the run, by offset; a range joins the run, and leaves this map, once the run reaches it. */
  readonly #beyond = new Map<number, StoredRange>();
  #end = 0;
  #crc = 0;
  #chunks = 0;

  /** The end of the unbroken run from offset 0. */
  get end(): number {
    return this.#end;
  }

  /** The CRC-32 of the bytes up to `end`. */
  get crc(): number {
    return this.#crc;
  }

  /** Chunks in the run. */
  get chunks(): number {
    return this.#chunks;
  }

  /** Bytes stored, in the run or past it. */
  get bytes(): number {
    let bytes = this.#end;
    for (const range of this.#beyond.values()) bytes += range.length;
    return bytes;
  }

  /** Ranges stored, in the run or past it. */
  get stored(): number {
    return this.#chunks + this.#beyond.size;
  }

  get empty(): boolean {
    return this.#end === 0 && this.#beyond.size === 0;
  }

  /** The range stored past the run at exactly this offset. */
  at(offset: number): StoredRange | undefined {
    return this.#beyond.get(offset);
  }

  /** Stores a range; one inside the run already is there. */
  add(range: StoredRange): void {
    if (range.length === 0 || range.offset < this.#end) return;
    this.#beyond.set(range.offset, range);
    for (let next = this.#beyond.get(this.#end); next; next = this.#beyond.get(this.#end)) {
      this.#beyond.delete(this.#end);
      this.#crc = crc32Combine(this.#crc, next.crc, next.length);
      this.#end += next.length;
      this.#chunks += 1;
    }
    // A range the run has grown over (stored at another chunk size) is of no more use.
    for (const offset of this.#beyond.keys()) if (offset < this.#end) this.#beyond.delete(offset);
  }

  /** The run as one range, then the ranges stored past it, in offset order: what a later run needs, in few words. */
  compact(): StoredRange[] {
    const beyond = [...this.#beyond.values()].sort((a, b) => a.offset - b.offset);
    return this.#end > 0 ? [{ offset: 0, length: this.#end, crc: this.#crc }, ...beyond] : beyond;
  }

  clear(): void {
    this.#beyond.clear();
    this.#end = 0;
    this.#crc = 0;
    this.#chunks = 0;
  }
}
