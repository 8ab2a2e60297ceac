import type { Command } from 'commander';
import type { DetailedEntry, FolderEntry } from '../../index.js';
import { addConnectionOptions } from '../connection.js';
import { runCommand, type CommandContext } from '../run.js';

interface LsFlags {
  long?: boolean;
}

export function registerLs(program: Command): void {
  addConnectionOptions(program.command('ls'))
    .description("list a folder's folders and documents, 20 at a time from the server")
    .argument('<folder>', 'the folder, e.g. /Public/Reports')
    .option('-l, --long', 'with each document\'s size, version count, date and who has it checked out (one reply)')
    .addHelpText('after', `
Folders end with /. Without -l the folder is read a page at a time, however large it is.

Examples:
  $ srv-asmx ls /Public/Reports
  $ srv-asmx ls -l /Public/Reports --json`)
    .action((folder: string, flags: LsFlags, command: Command) => runCommand(command, (context) => ls(context, folder, flags)));
}

async function ls(context: CommandContext, folder: string, flags: LsFlags): Promise<void> {
  const entries = await context.withSession(async (session) => {
    if (flags.long) return session.listDetails(folder, { signal: context.signal });
    const listed: FolderEntry[] = [];
    for await (const entry of session.list(folder, { signal: context.signal })) listed.push(entry);
    return listed;
  });
  const human = flags.long ? entries.map((entry) => longLine(entry as DetailedEntry)) : entries.map(nameOf);
  context.reporter.result(human.join('\n') || `(${folder} is empty)`, { ok: true, command: 'ls', folder, entries });
}

function nameOf(entry: FolderEntry): string {
  return entry.kind === 'folder' ? `${entry.name}/` : entry.name;
}

/** Size, version count, date, checkout holder and name, in columns; `-` where the server told nothing. */
function longLine(entry: DetailedEntry): string {
  if (entry.kind === 'folder') return `${'-'.padStart(12)}  ${'-'.padStart(4)}  ${'-'.padEnd(10)}  ${'-'.padEnd(12)}  ${nameOf(entry)}`;
  const cell = (value: string | number | undefined) => (value === undefined ? '-' : String(value));
  return `${cell(entry.size).padStart(12)}  ${cell(entry.versionCount).padStart(4)}  ${cell(entry.modified).padEnd(10)}  ${cell(entry.checkedOutBy).padEnd(12)}  ${entry.name}`;
}
