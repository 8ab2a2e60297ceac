import { readdir } from 'node:fs/promises';
import { join, posix, relative, sep } from 'node:path';
import type { Command } from 'commander';
import pLimit from 'p-limit';
import { checkOptions, fileCrc32, UPLOAD_MANY_OPTIONS, type SrvSession } from '../../index.js';
import { wholeNumber } from '../arguments.js';
import { EXIT, exitCodeOf } from '../exit-codes.js';
import { addConnectionOptions } from '../connection.js';
import { existingDirectory } from '../local-paths.js';
import { helpOf } from '../option-help.js';
import { runCommand, type CommandContext } from '../run.js';

interface SyncFlags {
  concurrency?: number;
  dryRun?: boolean;
}

type Change = 'new' | 'changed' | 'unchanged';

interface PlannedFile {
  file: string;
  remotePath: string;
  change: Change;
}

export function registerSync(program: Command): void {
  addConnectionOptions(program.command('sync'))
    .description('upload the new and changed files of a local folder tree (CRC-32 compared with DocumentExists); unchanged files are skipped')
    .argument('<localDir>', 'the local folder')
    .argument('<remoteFolder>', 'the folder to mirror it into, e.g. /Public/Reports')
    .option('--concurrency <n>', helpOf('files uploaded, and compared, at the same time', UPLOAD_MANY_OPTIONS.concurrency), wholeNumber)
    .option('--dry-run', 'only say what would be uploaded')
    .addHelpText('after', `
Examples:
  $ srv-asmx sync ./reports /Public/Reports --dry-run
  $ srv-asmx sync ./reports /Public/Reports --concurrency 8 --json`)
    .action((localDir: string, remoteFolder: string, flags: SyncFlags, command: Command) => runCommand(command, (context) => sync(context, localDir, remoteFolder, flags)));
}

async function sync(context: CommandContext, localDir: string, remoteFolder: string, flags: SyncFlags): Promise<number> {
  const { concurrency = UPLOAD_MANY_OPTIONS.concurrency.default } = flags;
  checkOptions(UPLOAD_MANY_OPTIONS, { concurrency });
  await existingDirectory(localDir, '<localDir>');
  const files = await filesUnder(localDir);
  return context.withSession(async (session) => {
    const plan = await planSync(session, files, localDir, remoteFolder.replace(/[/\\]+$/, ''), concurrency, context.signal);
    const toUpload = plan.filter((p) => p.change !== 'unchanged');
    for (const p of plan) context.reporter.info(`${p.change === 'unchanged' ? 'skip (unchanged)' : `${flags.dryRun ? 'would upload' : 'upload'} (${p.change})`}: ${p.remotePath}`);
    const failed = flags.dryRun ? [] : await uploadAll(session, toUpload, concurrency, context.signal);
    const summary = {
      ok: failed.length === 0,
      command: 'sync',
      dryRun: flags.dryRun === true,
      uploaded: toUpload.filter((p) => !failed.some((f) => f.remotePath === p.remotePath)).map(({ remotePath, change }) => ({ remotePath, change })),
      skipped: plan.filter((p) => p.change === 'unchanged').map((p) => p.remotePath),
      failed: failed.map(({ remotePath, error }) => ({ remotePath, error: error instanceof Error ? error.message : String(error) })),
    };
    const verb = flags.dryRun ? 'would upload' : 'uploaded';
    context.reporter.result(`${verb} ${summary.uploaded.length}, skipped ${summary.skipped.length} unchanged, ${summary.failed.length} failed`, summary);
    return failed.length === 0 ? EXIT.success : exitCodeOf(failed[0]?.error);
  });
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)).sort();
}

async function planSync(session: SrvSession, files: string[], localDir: string, remoteFolder: string, concurrency: number, signal: AbortSignal): Promise<PlannedFile[]> {
  const limit = pLimit(concurrency);
  return Promise.all(
    files.map((file) =>
      limit(async () => {
        const remotePath = posix.join(remoteFolder, relative(localDir, file).split(sep).join('/'));
        const [local, remote] = await Promise.all([fileCrc32(file), session.exists(remotePath, { signal })]);
        const change: Change = remote === undefined ? 'new' : remote.crc32LastVersion === local ? 'unchanged' : 'changed';
        return { file, remotePath, change };
      }),
    ),
  );
}

async function uploadAll(session: SrvSession, plan: PlannedFile[], concurrency: number, signal: AbortSignal): Promise<Array<{ remotePath: string; error: unknown }>> {
  for (const folder of new Set(plan.map((p) => posix.dirname(p.remotePath)))) await session.ensureFolder(folder, { signal });
  const outcomes = await session.uploadMany(plan.map((p) => ({ source: p.file, destination: p.remotePath })), { concurrency, signal });
  return outcomes.flatMap((outcome, i) => (outcome.status === 'rejected' ? [{ remotePath: (plan[i] as PlannedFile).remotePath, error: outcome.reason as unknown }] : []));
}
