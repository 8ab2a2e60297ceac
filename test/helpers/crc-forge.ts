// Changes four bytes of a buffer so that its CRC-32 becomes a chosen value: CRC-32 is affine over
// GF(2), so the 32 bits at `at` are found by Gaussian elimination. For tests of what a matching
// size and CRC-32 cannot prove.
import { crc32 } from '../../src/integrity/crc32.js';

/** Sets `bytes[at..at+4]` so that crc32(bytes) === target; returns `bytes`. */
export function forceCrc(bytes: Buffer, at: number, target: number): Buffer {
  bytes.writeUInt32LE(0, at);
  const base = crc32(bytes);
  const columns = Array.from({ length: 32 }, (_, bit) => {
    bytes.writeUInt32LE((1 << bit) >>> 0, at);
    return (crc32(bytes) ^ base) >>> 0;
  });
  bytes.writeUInt32LE(solve(columns, (target ^ base) >>> 0), at);
  if (crc32(bytes) !== target) throw new Error('forceCrc: no solution');
  return bytes;
}

/** x with XOR of columns[i] for each bit i set in x equal to `wanted`. */
function solve(columns: readonly number[], wanted: number): number {
  // Each row: a combination of columns (bits of `picks`) and the value it makes.
  const rows: { value: number; picks: number }[] = [];
  for (const [bit, column] of columns.entries()) {
    let row = { value: column, picks: (1 << bit) >>> 0 };
    for (const pivot of rows) if (reduces(row.value, pivot.value)) row = { value: (row.value ^ pivot.value) >>> 0, picks: (row.picks ^ pivot.picks) >>> 0 };
    if (row.value !== 0) rows.push(row);
    rows.sort((a, b) => b.value - a.value);
  }
  let rest = wanted;
  let picks = 0;
  for (const pivot of rows) {
    if (reduces(rest, pivot.value)) {
      rest = (rest ^ pivot.value) >>> 0;
      picks = (picks ^ pivot.picks) >>> 0;
    }
  }
  if (rest !== 0) throw new Error('forceCrc: the columns do not span the value');
  return picks;
}

/** Whether `value` has the highest bit of `pivot` set. */
const reduces = (value: number, pivot: number): boolean => ((value ^ pivot) >>> 0) < value;
