// Writes the option tables of README.md and docs/*.md from the library's tables (src/*-options.ts),
// between `<!-- options:NAME -->` and `<!-- /options:NAME -->`. `--check` writes nothing and fails
// when a block is stale; test/options/options-tables.test.ts checks the same.
import { readFile, writeFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { documentationFiles, ROOT } from './options-docs/files.js';
import { refreshBlocks } from './options-docs/render.js';

async function main(check: boolean): Promise<number> {
  let stale = 0;
  for (const file of await documentationFiles()) {
    const text = await readFile(file, 'utf8');
    const refreshed = refreshBlocks(text);
    if (refreshed === text) continue;
    stale++;
    if (check) console.error(`${relative(ROOT, file)}: its option tables are stale; run \`npm run docs:options\` and commit the result.`);
    else await writeFile(file, refreshed);
  }
  if (!check) console.log(stale === 0 ? 'the option tables are up to date' : `rewrote the option tables of ${stale} file(s)`);
  return check && stale > 0 ? 1 : 0;
}

process.exitCode = await main(process.argv.includes('--check'));
