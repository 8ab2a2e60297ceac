import type { Command } from 'commander';
import { bytes } from '../format.js';
import { addConnectionOptions } from '../connection.js';
import { runCommand, type CommandContext } from '../run.js';

export function registerLimits(program: Command): void {
  addConnectionOptions(program.command('limits'))
    .description("show the server's upload limits, which uploads are checked against before they start")
    .addHelpText('after', `
FILEUPLOADLIMIT comes from getApplicationParameters, DocumentMaxSize from GetGeneralAppSettings; the
smaller is the largest file an upload tries. A limit the server does not tell is "unknown".

Examples:
  $ srv-asmx limits
  $ srv-asmx limits --json`)
    .action((_flags: unknown, command: Command) => runCommand(command, (context) => limits(context)));
}

async function limits(context: CommandContext): Promise<void> {
  const result = await context.withSession((session) => session.limits({ signal: context.signal }));
  const shown = (limit: number | undefined) => (limit === undefined ? 'unknown' : `${limit} bytes (${bytes(limit)})`);
  const human = [
    `FILEUPLOADLIMIT: ${shown(result.fileUploadLimit)}`,
    `DocumentMaxSize: ${shown(result.documentMaxSize)}`,
    `largest upload: ${result.maxUploadSize === undefined ? 'not checked (the server tells no limit)' : shown(result.maxUploadSize)}`,
  ].join('\n');
  context.reporter.result(human, { ok: true, command: 'limits', ...result });
}
