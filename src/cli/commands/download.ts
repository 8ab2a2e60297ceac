import type { Command } from 'commander';
import { checkDownload, DOWNLOAD_OPTIONS, type DownloadOptions } from '../../index.js';
import { autoOrWholeNumber, byteRate, wholeNumber } from '../arguments.js';
import { bytes, rate, seconds } from '../format.js';
import { addConnectionOptions } from '../connection.js';
import { STANDARD_STREAM } from '../local-paths.js';
import { BWLIMIT_HELP, helpOf } from '../option-help.js';
import { stdout } from '../output.js';
import { runCommand, type CommandContext } from '../run.js';

interface DownloadFlags {
  versionNumber?: number;
  chunkSize?: number;
  concurrency?: number | 'auto';
  bwlimit?: number;
  resume?: boolean;
  force?: boolean;
}

export function registerDownload(program: Command): void {
  addConnectionOptions(program.command('download'))
    .description('download a document; the file appears only once every CRC-32 has matched')
    .argument('<remotePath>', 'the document path, or ~D<id>')
    .argument('<file>', 'the local file to write, or - for standard output (then the result goes to stderr)')
    .option('--version-number <number>', 'a version number from GetDocumentVersions (1000000, 2000000, ...); default: the latest', wholeNumber)
    .option('--chunk-size <bytes>', helpOf('chunk size to ask for', DOWNLOAD_OPTIONS.chunkSize), wholeNumber)
    .option('--concurrency <n>', helpOf("chunks in flight at once; 'auto' adapts them to what the reads show", DOWNLOAD_OPTIONS.concurrency), autoOrWholeNumber)
    .option('--bwlimit <rate>', BWLIMIT_HELP, byteRate)
    .option('--resume', 'keep an interrupted download beside <file> and go on with one an earlier run left (default: start over)')
    .option('--force', 'replace <file> if it exists (only after the download is verified)')
    .addHelpText('after', `
Examples:
  $ srv-asmx download /Public/Reports/q3.pdf q3.pdf
  $ srv-asmx download ~D1234 q3.pdf --force
  $ srv-asmx download /Public/Reports/q3.pdf q3-v1.pdf --version-number 1000000 --json
  $ srv-asmx download /Public/Archive/2024.zip 2024.zip --resume   # again after an interruption
  $ srv-asmx download /Public/Backups/shop.sql - | psql shop`)
    .action((remotePath: string, file: string, flags: DownloadFlags, command: Command) => runCommand(command, (context) => download(context, remotePath, file, flags)));
}

async function download(context: CommandContext, remotePath: string, file: string, flags: DownloadFlags): Promise<void> {
  const { reporter, signal } = context;
  const source = flags.versionNumber === undefined ? remotePath : { path: remotePath, versionNumber: flags.versionNumber };
  const toStdout = file === STANDARD_STREAM;
  const destination = toStdout ? stdout.stream : file;
  let progress: ReturnType<typeof reporter.progress> | undefined;
  const options: DownloadOptions = {
    overwrite: flags.force === true,
    signal,
    onProgress: (p) => (progress ??= reporter.progress('download', p.totalBytes)).update(p.bytes, p.restarts),
    resume: flags.resume === true,
    ...(flags.chunkSize !== undefined && { chunkSize: flags.chunkSize }),
    ...(flags.concurrency !== undefined && { concurrency: flags.concurrency }),
    ...(flags.bwlimit !== undefined && { rateLimit: flags.bwlimit }),
  };
  // Every mistake the library can find without a server is found before logging in.
  await checkDownload(source, destination, options);
  const result = await context.withSession(async (session) => {
    reporter.info(`downloading ${remotePath} to ${toStdout ? 'standard output' : file}`);
    try {
      return await session.download(source, destination, options);
    } finally {
      progress?.stop();
    }
  });
  const human = `downloaded ${remotePath} to ${toStdout ? 'standard output' : file}: ${bytes(result.bytes)} in ${seconds(result.elapsedMs)} (${rate(result.bytes, result.elapsedMs)}), CRC32 ${result.crc32}, ${result.retries} retries, ${result.restarts} restarts`;
  const data = { ok: true, command: 'download', remotePath, file, ...result };
  // Standard output carries the document: the result goes to stderr.
  if (toStdout) reporter.resultAside(human, data);
  else reporter.result(human, data);
}
