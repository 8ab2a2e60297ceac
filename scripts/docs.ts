// Rewrites the generated blocks of the docs (scripts/docs/blocks.ts) from the code.
import { readFile, writeFile } from 'node:fs/promises';
import { BLOCKS, withBlocks } from './docs/blocks.js';

for (const file of new Set(Object.values(BLOCKS).map((block) => block.file))) {
  const text = await readFile(file, 'utf8');
  const updated = withBlocks(file, text);
  if (updated !== text) {
    await writeFile(file, updated);
    console.log(`updated ${file}`);
  }
}
