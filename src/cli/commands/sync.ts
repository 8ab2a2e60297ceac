import { stat } from 'node:fs/promises';
import { join, posix, relative, sep } from 'node:path';
import type { Command } from 'commander';
import pLimit from 'p-limit';
import { checkOptions, fileCrc32, nameClashes, UPLOAD_MANY_OPTIONS, type SrvSession, type UploadManyOptions } from '../../index.js';
import { byteRate, wholeNumber } from '../arguments.js';
import { EXIT, exitCodeOf, UsageError } from '../exit-codes.js';
import { addConnectionOptions } from '../connection.js';
import { readTree, type LocalTree } from '../local-tree.js';
import { BWLIMIT_HELP, helpOf } from '../option-help.js';
import { runCommand, type CommandContext } from '../run.js';

interface SyncFlags {
  concurrency?: number;
  bwlimit?: number;
  dryRun?: boolean;
  lock?: boolean;
  maxSize?: number;
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
    .option('--bwlimit <rate>', `${BWLIMIT_HELP}, shared by all the files`, byteRate)
    .option('--dry-run', 'only say what would be uploaded')
    .option('--lock', 'lock each changed document while its new version is uploaded, then unlock it')
    .option('--max-size <bytes>', 'skip files larger than this, saying so', wholeNumber)
    .addHelpText('after', `
Examples:
  $ srv-asmx sync ./reports /Public/Reports --dry-run
  $ srv-asmx sync ./reports /Public/Reports --concurrency 8 --json
  $ srv-asmx sync ./reports /Public/Reports --lock --max-size 104857600`)
    .action((localDir: string, remoteFolder: string, flags: SyncFlags, command: Command) => runCommand(command, (context) => sync(context, localDir, remoteFolder, flags)));
}

async function sync(context: CommandContext, localDir: string, remoteFolder: string, flags: SyncFlags): Promise<number> {
  const { concurrency = UPLOAD_MANY_OPTIONS.concurrency.default } = flags;
  checkOptions(UPLOAD_MANY_OPTIONS, { concurrency });
  const tree = await readTree(localDir);
  if (flags.maxSize !== undefined) await skipLarger(tree, flags.maxSize);
  refuseNameClashes(localDir, tree.files);
  for (const { path, reason } of tree.ignored) context.reporter.warn(`not uploaded: ${path}: ${reason}`);
  const targets = new Map(tree.symlinks.map(({ path, target }) => [path, target]));
  return context.withSession(async (session) => {
    const plan = await planSync(session, tree.files, localDir, remoteFolder.replace(/[/\\]+$/, ''), concurrency, context.signal);
    const toUpload = plan.filter((p) => p.change !== 'unchanged');
    for (const p of plan) {
      const target = targets.get(p.file);
      const link = target === undefined ? '' : ` (a symbolic link to ${target})`;
      context.reporter.info(`${p.change === 'unchanged' ? 'skip (unchanged)' : `${flags.dryRun ? 'would upload' : 'upload'} (${p.change})`}: ${p.remotePath}${link}`);
    }
    const failed = flags.dryRun
      ? []
      : await uploadAll(session, toUpload, { concurrency, signal: context.signal, lock: flags.lock === true, ...(flags.bwlimit !== undefined && { rateLimit: flags.bwlimit }) });
    const summary = {
      ok: failed.length === 0,
      command: 'sync',
      dryRun: flags.dryRun === true,
      uploaded: toUpload.filter((p) => !failed.some((f) => f.remotePath === p.remotePath)).map(({ remotePath, change }) => ({ remotePath, change })),
      skipped: plan.filter((p) => p.change === 'unchanged').map((p) => p.remotePath),
      failed: failed.map(({ remotePath, error }) => ({ remotePath, error: error instanceof Error ? error.message : String(error) })),
      symlinks: tree.symlinks,
      ignored: tree.ignored,
    };
    const verb = flags.dryRun ? 'would upload' : 'uploaded';
    const notUploaded = tree.ignored.length > 0 ? `, ${tree.ignored.length} not uploaded (named above)` : '';
    context.reporter.result(`${verb} ${summary.uploaded.length}, skipped ${summary.skipped.length} unchanged, ${summary.failed.length} failed${notUploaded}`, summary);
    return failed.length === 0 ? EXIT.success : exitCodeOf(failed[0]?.error);
  });
}

/** Two local names the server takes for one would overwrite each other on every run. */
function refuseNameClashes(localDir: string, files: readonly string[]): void {
  const clashes = nameClashes(files.map((file) => relative(localDir, file).split(sep).join('/')));
  if (clashes.length === 0) return;
  const pairs = clashes.map(([a, b]) => `${join(localDir, a)} and ${join(localDir, b)}`).join('; ');
  throw new UsageError(`<localDir> holds names the server cannot tell apart: ${pairs} (it ignores case and Unicode normalization); rename one of each`);
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

/** Files larger than --max-size are left out, each named with its size. */
async function skipLarger(tree: LocalTree, maxSize: number): Promise<void> {
  const sizes = await Promise.all(tree.files.map(async (file) => (await stat(file)).size));
  tree.files = tree.files.filter((file, i) => {
    const size = sizes[i] ?? 0;
    if (size > maxSize) tree.ignored.push({ path: file, reason: `${size} bytes, larger than --max-size ${maxSize}` });
    return size <= maxSize;
  });
}

/** `lock`: each changed document is locked around its upload (a new one has nothing to lock). */
async function uploadAll(session: SrvSession, plan: PlannedFile[], options: UploadManyOptions & { signal: AbortSignal; lock: boolean }): Promise<Array<{ remotePath: string; error: unknown }>> {
  const { signal, lock, ...many } = options;
  for (const folder of new Set(plan.map((p) => posix.dirname(p.remotePath)))) await session.ensureFolder(folder, { signal });
  const items = plan.map((p) => ({ source: p.file, destination: p.remotePath, options: { lock: lock && p.change !== 'new' } }));
  const outcomes = await session.uploadMany(items, { ...many, signal });
  return outcomes.flatMap((outcome, i) => (outcome.status === 'rejected' ? [{ remotePath: (plan[i] as PlannedFile).remotePath, error: outcome.reason as unknown }] : []));
}
