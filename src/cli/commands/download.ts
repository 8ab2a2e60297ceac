import type { Command } from 'commander';
import { wholeNumber } from '../arguments.js';
import { bytes, rate, seconds } from '../format.js';
import { addConnectionOptions } from '../connection.js';
import { runCommand, type CommandContext } from '../run.js';

interface DownloadFlags {
  version?: number;
  chunkSize?: number;
  force?: boolean;
}

export function registerDownload(program: Command): void {
  addConnectionOptions(program.command('download'))
    .description('download a document; the file appears only once every CRC-32 has matched')
    .argument('<remotePath>', 'the document path, or ~D<id>')
    .argument('<file>', 'the local file to write')
    .option('--version <number>', 'a version number from GetDocumentVersions (1000000, 2000000, ...); default: the latest', wholeNumber)
    .option('--chunk-size <bytes>', 'chunk size to ask for (262144..33554432, default 4194304)', wholeNumber)
    .option('--force', 'replace <file> if it exists (only after the download is verified)')
    .addHelpText('after', `
Examples:
  $ srv-asmx download /Public/Reports/q3.pdf q3.pdf
  $ srv-asmx download ~D1234 q3.pdf --force
  $ srv-asmx download /Public/Reports/q3.pdf q3-v1.pdf --version 1000000 --json`)
    .action((remotePath: string, file: string, flags: DownloadFlags, command: Command) => runCommand(command, (context) => download(context, remotePath, file, flags)));
}

async function download(context: CommandContext, remotePath: string, file: string, flags: DownloadFlags): Promise<void> {
  const { reporter, signal } = context;
  const source = flags.version === undefined ? remotePath : { path: remotePath, versionNumber: flags.version };
  const result = await context.withSession(async (session) => {
    reporter.info(`downloading ${remotePath} to ${file}`);
    let progress: ReturnType<typeof reporter.progress> | undefined;
    try {
      return await session.download(source, file, {
        overwrite: flags.force === true,
        signal,
        onProgress: (p) => (progress ??= reporter.progress('download', p.totalBytes)).update(p.bytes),
        ...(flags.chunkSize !== undefined && { chunkSize: flags.chunkSize }),
      });
    } finally {
      progress?.stop();
    }
  });
  reporter.result(
    `downloaded ${remotePath} to ${file}: ${bytes(result.bytes)} in ${seconds(result.elapsedMs)} (${rate(result.bytes, result.elapsedMs)}), CRC32 ${result.crc32}, ${result.retries} retries, ${result.restarts} restarts`,
    { ok: true, command: 'download', remotePath, file, ...result },
  );
}
