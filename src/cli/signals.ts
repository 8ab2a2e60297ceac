// SIGINT, SIGTERM and SIGHUP cancel the work, which then cleans up: the upload handler deleted, the
// partial download removed, the session logged out. A reader of stdout that goes away cancels it
// the same way (run.ts). A second signal quits at once, but not one that comes in the same moment:
// plain `timeout` sends SIGTERM to the child and again to its process group, and that must still
// clean up. Cleanup is bounded either way; quitting early cuts only the network cleanup short, since
// the library removes its local files (a partial download without --resume, spooled input) on exit.
import type { Reporter } from './reporter.js';

const SIGNALS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
type HandledSignal = keyof typeof SIGNALS;
/** A second signal within this time of the first is the same request to stop. */
const SAME_MOMENT_MS = 500;
/** Cleanup after a cancel may take this long before the process quits anyway. */
const CLEANUP_BOUND_MS = 30_000;

export interface Cancellation {
  readonly signal: AbortSignal;
  /** The exit code of what cancelled the work (128 + the signal's number, …), once something did. */
  readonly exitCode: number | undefined;
  /** Cancels the work as a signal does: `why` is told, and the command exits with `exitCode`. */
  cancel(why: string, exitCode: number): void;
  dispose(): void;
}

export function cancelOnSignals(reporter: Reporter): Cancellation {
  const controller = new AbortController();
  let first: { exitCode: number; at: number } | undefined;
  let bound: NodeJS.Timeout | undefined;
  const cancel = (why: string, exitCode: number) => {
    if (first) return;
    first = { exitCode, at: performance.now() };
    reporter.notice(`${why}: cancelling, cleaning up (a second signal quits at once)`);
    bound = setTimeout(() => process.exit(exitCode), CLEANUP_BOUND_MS).unref();
    controller.abort(new Error(`cancelled: ${why}`));
  };
  const onSignal = (name: HandledSignal) => {
    if (!first) return cancel(name, SIGNALS[name]);
    if (performance.now() - first.at >= SAME_MOMENT_MS) process.exit(first.exitCode);
  };
  const listeners = Object.keys(SIGNALS).map((name) => [name, () => onSignal(name as HandledSignal)] as const);
  for (const [name, listener] of listeners) process.on(name, listener);
  return {
    signal: controller.signal,
    get exitCode() {
      return first?.exitCode;
    },
    cancel,
    dispose: () => {
      clearTimeout(bound);
      for (const [name, listener] of listeners) process.off(name, listener);
    },
  };
}
