import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The Markdown files that may hold option tables: the README, and the docs. */
export async function documentationFiles(): Promise<string[]> {
  const docs = await readdir(join(ROOT, 'docs'), { recursive: true }).catch(() => []);
  return [join(ROOT, 'README.md'), ...docs.filter((file) => file.endsWith('.md')).sort().map((file) => join(ROOT, 'docs', file))];
}
