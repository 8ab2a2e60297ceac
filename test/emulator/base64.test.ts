// The emulator's streaming base64 decoder: however the text is split as it arrives, and whichever path a piece
// takes (pushAscii's encode-back check, or push's matching), it accepts exactly strict base64 and decodes it alike.
import fc from 'fast-check';
import { Base64Decoder } from '../../src/emulator/http/base64.js';

/** Strict base64 as the service reads it: whitespace anywhere, the alphabet, then at most two `=` at the very end. */
function reference(text: string): Buffer | undefined {
  const clean = text.replace(/[\t\n\r ]+/g, '');
  return /^[A-Za-z0-9+/]*={0,2}$/.test(clean) && clean.length % 4 === 0 ? Buffer.from(clean, 'base64') : undefined;
}

function decodeInPieces(text: string, cuts: readonly number[], ascii: boolean): Buffer | undefined {
  const decoder = new Base64Decoder();
  const points = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort((a, b) => a - b);
  let from = 0;
  for (const to of [...points, text.length]) {
    const piece = text.slice(from, to);
    if (ascii) decoder.pushAscii(Buffer.from(piece, 'latin1'));
    else decoder.push(piece);
    from = to;
  }
  const binary = decoder.finish();
  return binary === undefined ? undefined : Buffer.concat(binary.parts);
}

const SEED = 14;
const cuts = fc.array(fc.nat(), { maxLength: 8 });

test('canonical base64 of any bytes decodes to them, however it is split', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 3000 }), cuts, (bytes, points) => {
      const text = Buffer.from(bytes).toString('base64');
      expect(decodeInPieces(text, points, true)).toEqual(Buffer.from(bytes));
    }),
    { seed: SEED, numRuns: 300 },
  );
});

test('any text of base64 characters, padding, whitespace and strays is accepted or refused as strict base64 is', () => {
  const character = fc.constantFrom(...'ABQgw+/09az=== \n\r\t-_.*&<'.split(''));
  fc.assert(
    fc.property(fc.array(character, { maxLength: 40 }).map((chars) => chars.join('')), cuts, fc.boolean(), (text, points, ascii) => {
      expect(decodeInPieces(text, points, ascii)).toEqual(reference(text));
    }),
    { seed: SEED, numRuns: 3000 },
  );
});

test.each([
  ['non-canonical unused bits', 'QR==', true],
  ['data after padding', 'QQ==QUFB', false],
  ['three padding characters', 'QQ===', false],
  ['padding split across pieces', 'QQ=|=', true],
  ['line breaks every four characters', 'QUFB\r\nQUFB\r\n', true],
])('%s', (_what, text, valid) => {
  const pieces = text.split('|');
  const decoder = new Base64Decoder();
  for (const piece of pieces) decoder.pushAscii(Buffer.from(piece, 'latin1'));
  const joined = pieces.join('');
  expect(decoder.finish() === undefined).toBe(!valid);
  if (valid) expect(reference(joined)).toBeDefined();
});
