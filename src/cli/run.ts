// Runs one command: its reporter, Ctrl-C as cancellation, the session it may open, and the exit
// code and message of whatever went wrong.
import type { Command } from 'commander';
import type { SrvSession } from '../index.js';
import { openSession, type ConnectionFlags } from './connection.js';
import { EXIT, exitCodeOf } from './exit-codes.js';
import { createReporter, type Reporter } from './reporter.js';

export interface CommandFlags extends ConnectionFlags {
  json?: boolean;
  verbose?: boolean;
}

export interface CommandContext {
  reporter: Reporter;
  /** Aborted by Ctrl-C. */
  signal: AbortSignal;
  /** Opens a session, runs `work` with it, and logs out whatever happens. */
  withSession<T>(work: (session: SrvSession) => Promise<T>): Promise<T>;
}

export async function runCommand(command: Command, work: (context: CommandContext) => Promise<number | void>): Promise<void> {
  const flags = command.opts<CommandFlags>();
  const reporter = createReporter({ json: flags.json === true, verbose: flags.verbose === true });
  const cancel = cancelOnInterrupt(reporter);
  const context: CommandContext = {
    reporter,
    signal: cancel.signal,
    withSession: async (use) => {
      const session = await openSession(flags, reporter, cancel.signal);
      try {
        return await use(session);
      } finally {
        await session.close();
      }
    },
  };
  try {
    process.exitCode = (await work(context)) ?? EXIT.success;
  } catch (error) {
    process.exitCode = exitCodeOf(error);
    reportFailure(reporter, error, process.exitCode);
  } finally {
    cancel.dispose();
  }
}

function reportFailure(reporter: Reporter, error: unknown, exitCode: number): void {
  const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
  if (reporter.json) reporter.result('', { ok: false, exitCode, error: { name, message } });
  else process.stderr.write(`srv-asmx: ${message}\n`);
}

/** The first Ctrl-C cancels the work, which then cleans up; a second one quits at once. */
function cancelOnInterrupt(reporter: Reporter): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onInterrupt = () => {
    if (controller.signal.aborted) process.exit(EXIT.cancelled);
    reporter.info('cancelling (Ctrl-C again to quit at once)');
    controller.abort(new Error('interrupted'));
  };
  process.on('SIGINT', onInterrupt);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onInterrupt) };
}
