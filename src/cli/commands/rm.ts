import type { Command } from 'commander';
import { wholeNumber } from '../arguments.js';
import { addConnectionOptions } from '../connection.js';
import { runCommand, type CommandContext } from '../run.js';

interface RmFlags {
  versionNumber?: number;
}

export function registerRm(program: Command): void {
  addConnectionOptions(program.command('rm'))
    .description('move a document to the recycle bin, or delete one of its versions for good')
    .argument('<remotePath>', 'the document path')
    .option('--version-number <number>', 'delete only this version, as versions prints it (1000000, ...), for good', wholeNumber)
    .addHelpText('after', `
Examples:
  $ srv-asmx rm /Public/Reports/old.pdf
  $ srv-asmx rm /Public/Reports/q3.pdf --version-number 1000000 --json`)
    .action((remotePath: string, flags: RmFlags, command: Command) => runCommand(command, (context) => rm(context, remotePath, flags)));
}

async function rm(context: CommandContext, remotePath: string, flags: RmFlags): Promise<void> {
  const { versionNumber } = flags;
  const options = { signal: context.signal, ...(versionNumber !== undefined && { version: versionNumber }) };
  await context.withSession((session) => session.delete(remotePath, options));
  const human = versionNumber === undefined ? `moved ${remotePath} to the recycle bin` : `deleted version ${versionNumber} of ${remotePath}`;
  context.reporter.result(human, { ok: true, command: 'rm', remotePath, ...(versionNumber !== undefined && { versionNumber }) });
}
