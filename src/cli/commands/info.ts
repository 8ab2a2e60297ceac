import type { Command } from 'commander';
import { wholeNumber } from '../arguments.js';
import { bytes } from '../format.js';
import { addConnectionOptions } from '../connection.js';
import { runCommand, type CommandContext } from '../run.js';

interface InfoFlags {
  versionNumber?: number;
}

export function registerInfo(program: Command): void {
  addConnectionOptions(program.command('info'))
    .description("tell a document's size, CRC-32, type and date, without downloading it")
    .argument('<remotePath>', 'the document path, or ~D<id>')
    .option('--version-number <number>', 'a version number as versions prints it (1000000, ...); default: the latest', wholeNumber)
    .addHelpText('after', `
Examples:
  $ srv-asmx info /Public/Reports/q3.pdf
  $ srv-asmx info /Public/Reports/q3.pdf --version-number 1000000 --json`)
    .action((remotePath: string, flags: InfoFlags, command: Command) => runCommand(command, (context) => info(context, remotePath, flags)));
}

async function info(context: CommandContext, remotePath: string, flags: InfoFlags): Promise<void> {
  const options = { signal: context.signal, ...(flags.versionNumber !== undefined && { version: flags.versionNumber }) };
  const result = await context.withSession((session) => session.info(remotePath, options));
  const version = result.versionNumber === 0 ? 'latest version' : `version ${result.versionNumber}`;
  const facts = [
    `${bytes(result.size)} (${result.size} bytes)`,
    result.crc32 === undefined ? 'the server reports no CRC32' : `CRC32 ${result.crc32}`,
    ...(result.contentType === undefined ? [] : [result.contentType]),
    ...(result.modified === undefined ? [] : [`modified ${result.modified}`]),
  ];
  context.reporter.result(`${remotePath} (${version}): ${facts.join(', ')}`, { ok: true, command: 'info', ...result });
}
