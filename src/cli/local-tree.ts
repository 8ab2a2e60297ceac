// A local folder tree as sync and check read it: its regular files, the symbolic links to regular
// files (read as the files they lead to), and what neither takes, with why.
import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { existingDirectory } from './local-paths.js';

export interface LocalTree {
  files: string[];
  /** Symbolic links to regular files: taken under the link's name, with the content of the file it leads to. */
  symlinks: Array<{ path: string; target: string }>;
  ignored: Array<{ path: string; reason: string }>;
}

/**
 * The tree's regular files, and the symbolic links to them; a recursive readdir never follows a link
 * to a folder, so no loop can hold it. `dir`, the command's <localDir>, must be a folder.
 */
export async function readTree(dir: string): Promise<LocalTree> {
  await existingDirectory(dir, '<localDir>');
  const tree: LocalTree = { files: [], symlinks: [], ignored: [] };
  const entries = (await readdir(dir, { recursive: true, withFileTypes: true })).map((entry) => ({ entry, path: join(entry.parentPath, entry.name) }));
  for (const { entry, path } of entries.sort((a, b) => (a.path < b.path ? -1 : 1))) {
    if (entry.isFile()) tree.files.push(path);
    else if (entry.isSymbolicLink()) await followLink(path, tree);
    else if (!entry.isDirectory()) tree.ignored.push({ path, reason: 'not a regular file' });
  }
  return tree;
}

/** A link to a regular file is taken; a link to a folder is not followed, since it may lead back up the tree, or out of it. */
async function followLink(path: string, tree: LocalTree): Promise<void> {
  const found = await stat(path).catch(() => undefined);
  if (found?.isFile()) {
    tree.files.push(path);
    tree.symlinks.push({ path, target: await realpath(path) });
  } else if (found === undefined) tree.ignored.push({ path, reason: 'a broken symbolic link' });
  else if (found.isDirectory()) tree.ignored.push({ path, reason: 'a symbolic link to a folder, which is not followed' });
  else tree.ignored.push({ path, reason: 'a symbolic link to something that is not a regular file' });
}
