import { readdir, realpath, stat } from 'node:fs/promises';
import { join, posix, relative, sep } from 'node:path';
import type { Command } from 'commander';
import pLimit from 'p-limit';
import { checkOptions, fileCrc32, nameClashes, UPLOAD_MANY_OPTIONS, type SrvSession, type UploadManyOptions } from '../../index.js';
import { byteRate, wholeNumber } from '../arguments.js';
import { EXIT, exitCodeOf, UsageError } from '../exit-codes.js';
import { addConnectionOptions } from '../connection.js';
import { existingDirectory } from '../local-paths.js';
import { BWLIMIT_HELP, helpOf } from '../option-help.js';
import { runCommand, type CommandContext } from '../run.js';

interface SyncFlags {
  concurrency?: number;
  bwlimit?: number;
  dryRun?: boolean;
}

type Change = 'new' | 'changed' | 'unchanged';

interface PlannedFile {
  file: string;
  remotePath: string;
  change: Change;
}

/** What of the local tree is uploaded, and what is not, and why. */
interface LocalTree {
  files: string[];
  /** Symbolic links to regular files: uploaded under the link's name, with the content of the file it leads to. */
  symlinks: Array<{ path: string; target: string }>;
  ignored: Array<{ path: string; reason: string }>;
}

export function registerSync(program: Command): void {
  addConnectionOptions(program.command('sync'))
    .description('upload the new and changed files of a local folder tree (CRC-32 compared with DocumentExists); unchanged files are skipped')
    .argument('<localDir>', 'the local folder')
    .argument('<remoteFolder>', 'the folder to mirror it into, e.g. /Public/Reports')
    .option('--concurrency <n>', helpOf('files uploaded, and compared, at the same time', UPLOAD_MANY_OPTIONS.concurrency), wholeNumber)
    .option('--bwlimit <rate>', `${BWLIMIT_HELP}, shared by all the files`, byteRate)
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
  const tree = await readTree(localDir);
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
    const failed = flags.dryRun ? [] : await uploadAll(session, toUpload, { concurrency, signal: context.signal, ...(flags.bwlimit !== undefined && { rateLimit: flags.bwlimit }) });
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

/** The tree's regular files, and the symbolic links to them; a recursive readdir never follows a link to a folder, so no loop can hold it. */
async function readTree(dir: string): Promise<LocalTree> {
  const tree: LocalTree = { files: [], symlinks: [], ignored: [] };
  const entries = (await readdir(dir, { recursive: true, withFileTypes: true })).map((entry) => ({ entry, path: join(entry.parentPath, entry.name) }));
  for (const { entry, path } of entries.sort((a, b) => (a.path < b.path ? -1 : 1))) {
    if (entry.isFile()) tree.files.push(path);
    else if (entry.isSymbolicLink()) await followLink(path, tree);
    else if (!entry.isDirectory()) tree.ignored.push({ path, reason: 'not a regular file' });
  }
  return tree;
}

/** A link to a regular file is uploaded; a link to a folder is not followed, since it may lead back up the tree, or out of it. */
async function followLink(path: string, tree: LocalTree): Promise<void> {
  const found = await stat(path).catch(() => undefined);
  if (found?.isFile()) {
    tree.files.push(path);
    tree.symlinks.push({ path, target: await realpath(path) });
  } else if (found === undefined) tree.ignored.push({ path, reason: 'a broken symbolic link' });
  else if (found.isDirectory()) tree.ignored.push({ path, reason: 'a symbolic link to a folder, which sync does not follow' });
  else tree.ignored.push({ path, reason: 'a symbolic link to something that is not a regular file' });
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

async function uploadAll(session: SrvSession, plan: PlannedFile[], options: UploadManyOptions & { signal: AbortSignal }): Promise<Array<{ remotePath: string; error: unknown }>> {
  const { signal } = options;
  for (const folder of new Set(plan.map((p) => posix.dirname(p.remotePath)))) await session.ensureFolder(folder, { signal });
  const outcomes = await session.uploadMany(plan.map((p) => ({ source: p.file, destination: p.remotePath })), options);
  return outcomes.flatMap((outcome, i) => (outcome.status === 'rejected' ? [{ remotePath: (plan[i] as PlannedFile).remotePath, error: outcome.reason as unknown }] : []));
}
