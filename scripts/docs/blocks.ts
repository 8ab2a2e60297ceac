// Blocks of the docs that are generated from the code, so that they cannot drift from it: each sits
// between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->` in a Markdown file, and
// `npm run docs` rewrites them; test/readme/generated-blocks.test.ts fails when one is stale.
import { DECISION_TABLE, type Row } from '../../src/calls/decisions.js';
import { OPTION_TABLES, optionsTable } from './options.js';

export interface Block {
  /** The Markdown file, from the repository's root. */
  readonly file: string;
  readonly render: () => string;
}

export const BLOCKS: Readonly<Record<string, Block>> = {
  'decision-table': { file: 'docs/protocol.md', render: decisionTable },
  ...Object.fromEntries(Object.entries(OPTION_TABLES).map(([name, rows]) => [`options-${name}`, { file: 'README.md', render: () => optionsTable(rows) }])),
};

const listed = (value: Row['step'] | Row['failure']) => (value === '*' ? 'any' : (Array.isArray(value) ? value : [value]).map((v) => `\`${v}\``).join(', '));

function decisionTable(): string {
  const lines = ['| # | step | what went wrong | when | action | why |', '|---|---|---|---|---|---|'];
  DECISION_TABLE.forEach((row, index) => {
    const action = `**${row.action}**${row.learn ? ` (learns ${Object.keys(row.learn).join(', ')})` : ''}${row.quiet ? ', not told as a retry' : ''}`;
    lines.push(`| ${index + 1} | ${listed(row.step)} | ${listed(row.failure)} | ${row.if ?? ''} | ${action} | ${row.why} |`);
  });
  return lines.join('\n');
}

/** `text` with every block of `file` rendered afresh; throws when a block's markers are missing. */
export function withBlocks(file: string, text: string): string {
  let result = text;
  for (const [name, block] of Object.entries(BLOCKS)) {
    if (block.file !== file) continue;
    const open = `<!-- generated:${name} -->`;
    const close = `<!-- /generated:${name} -->`;
    const start = result.indexOf(open);
    const end = result.indexOf(close, start);
    if (start < 0 || end < 0) throw new Error(`${file} has no ${open} … ${close} block`);
    result = `${result.slice(0, start + open.length)}\n${block.render()}\n${result.slice(end)}`;
  }
  return result;
}
