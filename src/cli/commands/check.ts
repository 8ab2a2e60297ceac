import { stat } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import type { Command } from 'commander';
import pLimit from 'p-limit';
import { checkOptions, fileCrc32, serviceNameKey, UPLOAD_MANY_OPTIONS, type SrvSession } from '../../index.js';
import { wholeNumber } from '../arguments.js';
import { EXIT } from '../exit-codes.js';
import { addConnectionOptions } from '../connection.js';
import { readTree } from '../local-tree.js';
import { helpOf } from '../option-help.js';
import { runCommand, type CommandContext } from '../run.js';

interface CheckFlags {
  concurrency?: number;
}

/** One file of either side, by its path below the compared folders ('/'-separated). */
interface Side {
  path: string;
  size: number;
  crc32: string | undefined;
}

interface Difference {
  path: string;
  local: Side;
  remote: Side;
  /** What differs: the size, the CRC-32, or that the server reports no CRC-32 to compare. */
  reason: 'size' | 'crc32' | 'no-crc32';
}

export function registerCheck(program: Command): void {
  addConnectionOptions(program.command('check'))
    .description('compare a local folder tree with a remote folder by size and CRC-32, transferring no content')
    .argument('<localDir>', 'the local folder')
    .argument('<remoteFolder>', 'the remote folder, e.g. /Public/Reports')
    .option('--concurrency <n>', helpOf('documents looked at, and files read, at the same time', UPLOAD_MANY_OPTIONS.concurrency), wholeNumber)
    .addHelpText('after', `
Lists what is missing (local only), extra (remote only) and different (size or CRC-32; a document
whose CRC-32 the server does not report is different, since nothing shows it is the same).
Exit codes: 0 the same, ${EXIT.differ} they differ, and a failure its own code (1, 2, 3, ...): never ${EXIT.differ}.

Examples:
  $ srv-asmx check ./reports /Public/Reports && echo same
  $ srv-asmx check ./reports /Public/Reports --json`)
    .action((localDir: string, remoteFolder: string, flags: CheckFlags, command: Command) => runCommand(command, (context) => check(context, localDir, remoteFolder, flags)));
}

async function check(context: CommandContext, localDir: string, remoteFolder: string, flags: CheckFlags): Promise<number> {
  const { concurrency = UPLOAD_MANY_OPTIONS.concurrency.default } = flags;
  checkOptions(UPLOAD_MANY_OPTIONS, { concurrency });
  const tree = await readTree(localDir);
  for (const { path, reason } of tree.ignored) context.reporter.warn(`not compared: ${path}: ${reason}`);
  const limit = pLimit(concurrency);
  const local = await Promise.all(tree.files.map((file) => limit(() => localSide(localDir, file))));
  const remote = await context.withSession((session) => remoteSides(session, remoteFolder.replace(/\/+$/, ''), limit, context.signal));
  const result = compare(local, remote);
  const same = result.missing.length + result.extra.length + result.different.length === 0;
  const human = [
    ...result.missing.map((path) => `missing: ${path}`),
    ...result.extra.map((path) => `extra: ${path}`),
    ...result.different.map((d) => `different (${d.reason}): ${d.path}`),
    `${same ? 'the same' : 'they differ'}: ${result.matching} matching, ${result.missing.length} missing, ${result.extra.length} extra, ${result.different.length} different`,
  ].join('\n');
  context.reporter.result(human, { ok: true, command: 'check', localDir, remoteFolder, same, ...result });
  return same ? EXIT.success : EXIT.differ;
}

async function localSide(localDir: string, file: string): Promise<Side> {
  const [{ size }, crc32] = await Promise.all([stat(file), fileCrc32(file)]);
  return { path: relative(localDir, file).split(sep).join('/'), size, crc32 };
}

/** Every document below the folder, each with its latest version's size and CRC-32 (GetDownloadInfo: nothing is staged). */
async function remoteSides(session: SrvSession, folder: string, limit: ReturnType<typeof pLimit>, signal: AbortSignal): Promise<Side[]> {
  const documents: string[] = [];
  const folders = [folder];
  for (let next = folders.shift(); next !== undefined; next = folders.shift()) {
    for await (const entry of session.list(next, { signal })) (entry.kind === 'folder' ? folders : documents).push(entry.path);
  }
  return Promise.all(
    documents.map((path) =>
      limit(async () => {
        const info = await session.info(path, { signal });
        return { path: path.slice(folder.length + 1), size: info.size, crc32: info.crc32 };
      }),
    ),
  );
}

/** Paired by the names the server takes for one (case and Unicode normalization ignored). */
function compare(local: readonly Side[], remote: readonly Side[]): { matching: number; missing: string[]; extra: string[]; different: Difference[] } {
  const remoteByKey = new Map(remote.map((side) => [serviceNameKey(side.path), side]));
  const localKeys = new Set(local.map((side) => serviceNameKey(side.path)));
  const different: Difference[] = [];
  const missing: string[] = [];
  let matching = 0;
  for (const side of local) {
    const other = remoteByKey.get(serviceNameKey(side.path));
    if (other === undefined) missing.push(side.path);
    else if (other.size !== side.size) different.push({ path: side.path, local: side, remote: other, reason: 'size' });
    else if (other.crc32 === undefined) different.push({ path: side.path, local: side, remote: other, reason: 'no-crc32' });
    else if (other.crc32 !== side.crc32) different.push({ path: side.path, local: side, remote: other, reason: 'crc32' });
    else matching += 1;
  }
  const extra = remote.filter((side) => !localKeys.has(serviceNameKey(side.path))).map((side) => side.path);
  return { matching, missing, extra, different };
}
