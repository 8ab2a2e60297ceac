// The blocks of the docs that are generated from the code (the decision table, …) are what the code
// says today: `npm run docs` rewrites them.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { BLOCKS, withBlocks } from '../../scripts/docs/blocks.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test.each(Object.entries(BLOCKS))('the %s block of the docs is current (else run npm run docs)', async (_name, block) => {
  const text = await readFile(`${ROOT}${block.file}`, 'utf8');
  expect(withBlocks(block.file, text)).toBe(text);
});
