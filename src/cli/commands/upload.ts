import { posix } from 'node:path';
import type { Command } from 'commander';
import { checkUpload, UPLOAD_OPTIONS, type DocumentMetadata, type ManualVersion, type UploadDestination, type UploadOptions } from '../../index.js';
import { byteRate, commaList, manualVersion, wholeNumber } from '../arguments.js';
import { bytes, rate, seconds } from '../format.js';
import { addConnectionOptions } from '../connection.js';
import { STANDARD_STREAM } from '../local-paths.js';
import { BWLIMIT_HELP, helpOf } from '../option-help.js';
import { runCommand, type CommandContext } from '../run.js';

interface UploadFlags {
  new?: boolean;
  comment?: string;
  description?: string;
  keywords?: string[];
  versionLabel?: ManualVersion;
  chunkSize?: number;
  bwlimit?: number;
  parents?: boolean;
}

export function registerUpload(program: Command): void {
  addConnectionOptions(program.command('upload'))
    .description('upload a file as a new document, or as a new version of an existing one')
    .argument('<file>', 'the local file, or - for standard input')
    .argument('<remotePath>', 'the document path, e.g. /Public/Reports/q3.pdf')
    .option('--new', 'the document must be new: upload into the folder of <remotePath> (UploadNewDocumentWidthHandler)')
    .option('--comment <text>', 'version comment')
    .option('--description <text>', 'document description')
    .option('--keywords <list>', 'comma-separated keywords', commaList)
    .option('--version-label <major.minor.revision>', 'manual version label, e.g. 2.0.1', manualVersion)
    .option('--chunk-size <bytes>', helpOf('chunk size to ask for', UPLOAD_OPTIONS.chunkSize), wholeNumber)
    .option('--bwlimit <rate>', BWLIMIT_HELP, byteRate)
    .option('--parents', 'create the folder of <remotePath>, and its missing parents, when it does not exist')
    .addHelpText('after', `
Examples:
  $ srv-asmx upload q3.pdf /Public/Reports/q3.pdf
  $ srv-asmx upload q3.pdf /Public/Reports/q3.pdf --comment "final figures" --version-label 2.0.0
  $ pg_dump shop | srv-asmx upload - /Public/Backups/shop.sql --parents
  $ srv-asmx upload scan.tif /Public/Inbox/scan.tif --new --description "signed contract"
  $ srv-asmx upload big.iso /Public/Images/big.iso --chunk-size 8388608 --json`)
    .action((file: string, remotePath: string, flags: UploadFlags, command: Command) => runCommand(command, (context) => upload(context, file, remotePath, flags)));
}

async function upload(context: CommandContext, file: string, remotePath: string, flags: UploadFlags): Promise<void> {
  const { reporter, signal } = context;
  const fromStdin = file === STANDARD_STREAM;
  const source = fromStdin ? process.stdin : file;
  const destination = destinationOf(remotePath, flags.new === true);
  let progress: ReturnType<typeof reporter.progress> | undefined;
  const options: UploadOptions = {
    metadata: metadataOf(flags),
    createFolders: flags.parents === true,
    // Standard input is read once: spooled, it can be sent again after a restart.
    spool: fromStdin,
    signal,
    onProgress: (p) => (progress ??= reporter.progress('upload', p.totalBytes)).update(p.bytes, p.restarts),
    ...(flags.chunkSize !== undefined && { chunkSize: flags.chunkSize }),
    ...(flags.bwlimit !== undefined && { rateLimit: flags.bwlimit }),
  };
  // Every mistake the library can find without a server is found before logging in.
  await checkUpload(source, destination, options);
  const result = await context.withSession(async (session) => {
    reporter.info(`uploading ${fromStdin ? 'standard input' : file} to ${remotePath}`);
    try {
      return await session.upload(source, destination, options);
    } finally {
      progress?.stop();
    }
  });
  const ids =
    result.confirmation === 'stored-crc'
      ? 'confirmed by its CRC-32 (the finalize reply was lost)'
      : result.documentId === undefined
        ? 'the server reported no DocumentId'
        : `DocumentId ${result.documentId}, VersionId ${result.versionId ?? 'not reported'}`;
  reporter.result(
    `uploaded ${file} to ${result.path}: ${ids}; ${bytes(result.bytes)} in ${seconds(result.elapsedMs)} (${rate(result.bytes, result.elapsedMs)}), CRC32 ${result.crc32}, ${result.retries} retries, ${result.restarts} restarts`,
    { ok: true, command: 'upload', file, ...result },
  );
}

function destinationOf(remotePath: string, isNew: boolean): UploadDestination {
  if (!isNew) return remotePath;
  const normalized = remotePath.replace(/\\/g, '/');
  return { folder: posix.dirname(normalized), name: posix.basename(normalized) };
}

function metadataOf(flags: UploadFlags): DocumentMetadata {
  return {
    ...(flags.comment !== undefined && { versionComment: flags.comment }),
    ...(flags.description !== undefined && { description: flags.description }),
    ...(flags.keywords !== undefined && { keywords: flags.keywords }),
    ...(flags.versionLabel !== undefined && { version: flags.versionLabel }),
  };
}
