// Runs one command: its reporter, signals as cancellation, the session it may open, and the exit
// code and message of whatever went wrong, in the command line's own terms.
import type { Command } from 'commander';
import { InvalidArgumentError, ServiceError, SrvError, TransportError, type SrvSession } from '../index.js';
import { openSession, type ConnectionFlags } from './connection.js';
import { EXIT, exitCodeOf } from './exit-codes.js';
import { cliMessage, cliName, usageHint } from './messages.js';
import { stderr, stdout } from './output.js';
import { createReporter, type Reporter } from './reporter.js';
import { cancelOnSignals, type Cancellation } from './signals.js';

export interface CommandFlags extends ConnectionFlags {
  json?: boolean;
  verbose?: boolean;
  quiet?: boolean;
  /** false with --no-progress. */
  progress?: boolean;
}

export interface CommandContext {
  reporter: Reporter;
  /** Aborted by SIGINT, SIGTERM or SIGHUP, or by a reader of stdout that went away. */
  signal: AbortSignal;
  /** Opens a session, runs `work` with it, and closes it whatever happens. */
  withSession<T>(work: (session: SrvSession) => Promise<T>): Promise<T>;
}

export async function runCommand(command: Command, work: (context: CommandContext) => Promise<number | void>): Promise<void> {
  const flags = command.opts<CommandFlags>();
  const reporter = createReporter({ json: flags.json === true, verbose: flags.verbose === true, quiet: flags.quiet === true, progress: flags.progress !== false });
  const cancel = cancelOnSignals(reporter);
  const stopHearingStdout = stdout.onFailure((error) => cancelOnClosedStdout(cancel, error));
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
    const exitCode = (await work(context)) ?? EXIT.success;
    // Work that failed once it was cancelled ends as the cancel says, whether it threw or returned.
    process.exitCode = exitCode === EXIT.success ? exitCode : (cancel.exitCode ?? exitCode);
  } catch (error) {
    process.exitCode = cancel.exitCode ?? exitCodeOf(error);
    reportFailure(reporter, error, process.exitCode, command.name());
  } finally {
    stopHearingStdout();
    cancel.dispose();
  }
}

/** What stdout carries is the work's product (a document, a ticket): once it cannot be written, the work is cancelled. */
function cancelOnClosedStdout(cancel: Cancellation, error: NodeJS.ErrnoException): void {
  if (error.code === 'EPIPE') cancel.cancel('standard output was closed', EXIT.closedOutput);
  else cancel.cancel(`standard output failed (${error.message})`, EXIT.failure);
}

/** The failure on stderr (a usage error with where to look), or as the one JSON document on stdout with all a script needs to decide. */
function reportFailure(reporter: Reporter, error: unknown, exitCode: number, commandName: string): void {
  const message = cliMessage(error);
  if (!reporter.json) {
    stderr.write(`srv-asmx: ${message}\n${exitCode === EXIT.usage ? `${usageHint(`srv-asmx ${commandName}`)}\n` : ''}`);
    return;
  }
  const name = error instanceof Error ? error.name : 'Error';
  reporter.result('', {
    ok: false,
    exitCode,
    error: {
      name,
      message,
      ...(error instanceof SrvError && error.operation !== undefined && { operation: error.operation }),
      ...(error instanceof ServiceError && { serverMessage: error.serverMessage, ...(error.code !== undefined && { code: error.code }) }),
      ...(error instanceof TransportError && { mayHaveReachedServer: error.mayHaveReachedServer, ...(error.httpStatus !== undefined && { httpStatus: error.httpStatus }) }),
      ...(error instanceof InvalidArgumentError && { argument: cliName(error) }),
      ...(errorCode(error) !== undefined && { code: errorCode(error) }),
    },
  });
}

/** The system error code of a local failure (ENOENT, ENOSPC, …), when there is one. */
function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
