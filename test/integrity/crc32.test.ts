// CRC-32 on Node's zlib, checked against the `crc-32` package it replaced (an independent
// implementation), and the combination of chunk CRCs into a file CRC.
import { randomBytes } from 'node:crypto';
import CRC32 from 'crc-32';
import { crc32, crc32Combine } from '../../src/integrity/crc32.js';

const unsignedReference = (data: Uint8Array, previous = 0) => CRC32.buf(data, previous | 0) >>> 0;

test('the vendor sample’s check value, and unsigned values equal to crc-32’s, continued or not', () => {
  expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  expect(crc32(Buffer.alloc(0))).toBe(0);
  for (let i = 0; i < 50; i++) {
    const [a, b] = [randomBytes(i * 37), randomBytes(1000 - i)];
    expect(crc32(a)).toBe(unsignedReference(a));
    expect(crc32(b, crc32(a))).toBe(unsignedReference(b, unsignedReference(a)));
  }
});

test('a previous CRC given signed, as crc-32 returns them, continues the same', () => {
  const [a, b] = [Buffer.from('high bit set: '), Buffer.from('ÿÿÿÿ')];
  const signed = CRC32.buf(a);
  expect(crc32(b, signed)).toBe(crc32(b, signed >>> 0));
});

test('combining chunk CRCs gives the CRC of the whole, for any lengths, empty ones included', () => {
  for (const [lengthA, lengthB] of [[0, 0], [0, 5], [5, 0], [1, 1], [3, 4_194_304], [1_000_003, 262_144], [77, 33_554_432]] as const) {
    const [a, b] = [randomBytes(lengthA), randomBytes(lengthB)];
    expect(crc32Combine(crc32(a), crc32(b), b.length)).toBe(crc32(Buffer.concat([a, b])));
  }
  const chunks = Array.from({ length: 9 }, (_, i) => randomBytes(1 + i * 1013));
  const combined = chunks.reduce((crc, chunk) => crc32Combine(crc, crc32(chunk), chunk.length), 0);
  expect(combined).toBe(crc32(Buffer.concat(chunks)));
});
