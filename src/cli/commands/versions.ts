import type { Command } from 'commander';
import { addConnectionOptions } from '../connection.js';
import { runCommand, type CommandContext } from '../run.js';

export function registerVersions(program: Command): void {
  addConnectionOptions(program.command('versions'))
    .description("list a document's versions, oldest first, by the number download, info and rm take")
    .argument('<remotePath>', 'the document path, or ~D<id>')
    .addHelpText('after', `
Each line: the version number (1000000, 2000000, ...), size, date created, author, comment; - where
the server told nothing.

Examples:
  $ srv-asmx versions /Public/Reports/q3.pdf
  $ srv-asmx download /Public/Reports/q3.pdf q3-v1.pdf --version-number 1000000`)
    .action((remotePath: string, _flags: unknown, command: Command) => runCommand(command, (context) => versions(context, remotePath)));
}

async function versions(context: CommandContext, remotePath: string): Promise<void> {
  const list = await context.withSession((session) => session.versions(remotePath, { signal: context.signal }));
  const cell = (value: string | number | undefined) => (value === undefined ? '-' : String(value));
  const lines = list.map((v) => [String(v.number).padStart(10), cell(v.size).padStart(12), cell(v.created).padEnd(24), cell(v.author), cell(v.comment)].join('  '));
  context.reporter.result(lines.join('\n') || `${remotePath} has no versions`, { ok: true, command: 'versions', remotePath, versions: list });
}
