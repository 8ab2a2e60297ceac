// Local cleanup a transfer must not skip even when the process exits at once (process.exit, as a
// second Ctrl-C does): run synchronously on 'exit', which runs even then. Removing a local file is
// instant; only network cleanup may be cut short.
import { rmSync } from 'node:fs';

const tasks = new Set<() => void>();

function runAll(): void {
  for (const task of tasks) {
    try {
      task();
    } catch {
      // The process is exiting: nothing is left to tell.
    }
  }
}

/** Runs `task` (synchronous) if the process exits before the returned function is called. */
export function atExit(task: () => void): () => void {
  if (tasks.size === 0) process.on('exit', runAll);
  tasks.add(task);
  return () => {
    tasks.delete(task);
    if (tasks.size === 0) process.off('exit', runAll);
  };
}

/** Removes `paths` (files or directories) if the process exits before the returned function is called. */
export function removeOnExit(...paths: string[]): () => void {
  return atExit(() => {
    for (const path of paths) rmSync(path, { recursive: true, force: true });
  });
}
