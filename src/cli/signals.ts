// SIGINT, SIGTERM and SIGHUP cancel the work, which then cleans up: the upload handler deleted, the
// partial download removed, the session logged out. A second signal quits at once, but not one that
// comes in the same moment: plain `timeout` sends SIGTERM to the child and again to its process
// group, and that must still clean up. Cleanup is bounded either way.
import type { Reporter } from './reporter.js';

const SIGNALS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
type HandledSignal = keyof typeof SIGNALS;
/** A second signal within this time of the first is the same request to stop. */
const SAME_MOMENT_MS = 500;
/** Cleanup after a signal may take this long before the process quits anyway. */
const CLEANUP_BOUND_MS = 30_000;

export interface Cancellation {
  readonly signal: AbortSignal;
  /** 128 + the number of the signal that cancelled the work, once one did. */
  readonly exitCode: number | undefined;
  dispose(): void;
}

export function cancelOnSignals(reporter: Reporter): Cancellation {
  const controller = new AbortController();
  let first: { name: HandledSignal; at: number } | undefined;
  let bound: NodeJS.Timeout | undefined;
  const onSignal = (name: HandledSignal) => {
    const now = performance.now();
    if (first) {
      if (now - first.at >= SAME_MOMENT_MS) process.exit(SIGNALS[first.name]);
      return;
    }
    first = { name, at: now };
    reporter.notice(`${name}: cancelling, cleaning up (send it again to quit at once)`);
    bound = setTimeout(() => process.exit(SIGNALS[name]), CLEANUP_BOUND_MS).unref();
    controller.abort(new Error(`interrupted by ${name}`));
  };
  const listeners = Object.keys(SIGNALS).map((name) => [name, () => onSignal(name as HandledSignal)] as const);
  for (const [name, listener] of listeners) process.on(name, listener);
  return {
    signal: controller.signal,
    get exitCode() {
      return first ? SIGNALS[first.name] : undefined;
    },
    dispose: () => {
      clearTimeout(bound);
      for (const [name, listener] of listeners) process.off(name, listener);
    },
  };
}
