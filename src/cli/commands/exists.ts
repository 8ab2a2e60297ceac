import type { Command } from 'commander';
import { fileCrc32 } from '../../index.js';
import { EXIT } from '../exit-codes.js';
import { addConnectionOptions } from '../connection.js';
import { runCommand, type CommandContext } from '../run.js';

export function registerExists(program: Command): void {
  addConnectionOptions(program.command('exists'))
    .description('tell whether a document exists; with --file, also whether its latest version equals the file')
    .argument('<remotePath>', 'the document path, or ~D<id>.<ext>')
    .option('--file <file>', 'compare the latest version with this local file by CRC-32')
    .addHelpText('after', `
Exit codes: 0 present (with --file: and the same), ${EXIT.absent} absent, ${EXIT.different} present but different (or the
server reports no CRC-32 to compare), and a failure its own code (1, 2, 3, …): never ${EXIT.absent}.

Examples:
  $ srv-asmx exists /Public/Reports/q3.pdf && echo present
  $ srv-asmx exists /Public/Reports/q3.pdf --file q3.pdf --json`)
    .action((remotePath: string, flags: { file?: string }, command: Command) => runCommand(command, (context) => exists(context, remotePath, flags.file)));
}

async function exists(context: CommandContext, remotePath: string, file: string | undefined): Promise<number> {
  const localCrc = file === undefined ? undefined : await fileCrc32(file);
  const info = await context.withSession((session) => session.exists(remotePath, { signal: context.signal }));
  const found = info !== undefined;
  // A server that does not report the stored CRC-32 cannot confirm the file: not the same.
  const same = localCrc === undefined || !found ? undefined : info.crc32LastVersion === localCrc;
  const data = {
    ok: true,
    command: 'exists',
    remotePath,
    exists: found,
    crc32LastVersion: info?.crc32LastVersion,
    crc32Published: info?.crc32Published,
    ...(file !== undefined && { file, fileCrc32: localCrc, same: same ?? false }),
  };
  context.reporter.result(humanAnswer(remotePath, data), data);
  if (!found) return EXIT.absent;
  return same === false ? EXIT.different : EXIT.success;
}

function humanAnswer(remotePath: string, data: { exists: boolean; crc32LastVersion?: string | undefined; file?: string; same?: boolean }): string {
  if (!data.exists) return `${remotePath} does not exist`;
  const crc = data.crc32LastVersion === undefined ? 'the server reports no CRC32' : `latest version CRC32 ${data.crc32LastVersion}`;
  const existsLine = `${remotePath} exists (${crc})`;
  if (data.file === undefined) return existsLine;
  if (data.crc32LastVersion === undefined) return `${existsLine}; whether ${data.file} is the same cannot be told`;
  return `${existsLine}; ${data.file} is ${data.same ? 'the same' : 'different'}`;
}
