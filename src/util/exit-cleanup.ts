// Local files a transfer must not leave behind even when the process exits at once (process.exit,
// as a second Ctrl-C does): removed synchronously on 'exit', which runs even then. Removing a local
// file is instant; only network cleanup may be cut short.
import { rmSync } from 'node:fs';

const paths = new Set<string>();

function removeAll(): void {
  for (const path of paths) {
    try {
      rmSync(path, { recursive: true, force: true });
    } catch {
      // The process is exiting: nothing is left to tell.
    }
  }
}

/** Removes `added` (files or directories) if the process exits before the returned function is called. */
export function removeOnExit(...added: string[]): () => void {
  if (paths.size === 0) process.on('exit', removeAll);
  for (const path of added) paths.add(path);
  return () => {
    for (const path of added) paths.delete(path);
    if (paths.size === 0) process.off('exit', removeAll);
  };
}
