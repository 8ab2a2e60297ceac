// The documented exit codes, and which errors lead to which.
import {
  AbortError,
  AuthenticationError,
  ChecksumMismatchError,
  HttpAuthenticationError,
  InvalidArgumentError,
  TicketExpiredError,
  TicketNotAllowedError,
} from '../index.js';

export const EXIT = {
  success: 0,
  failure: 1,
  usage: 2,
  authentication: 3,
  integrity: 4,
  /** `exists`: no such document (never a failure: a failure keeps its own code). */
  absent: 10,
  /** `exists --file`: the document is there, but its latest version is not confirmed the same as the file. */
  different: 11,
  /** `check`: the local tree and the remote folder differ (something missing, extra or different). */
  differ: 12,
  cancelled: 130,
  /** Standard output's reader went away, as 128 + SIGPIPE says of a process that signal ended. */
  closedOutput: 141,
} as const;

/** A mistake in how the command was called; the message names the argument and the right form. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function exitCodeOf(error: unknown): number {
  if (error instanceof UsageError || error instanceof InvalidArgumentError) return EXIT.usage;
  if (error instanceof AuthenticationError || error instanceof TicketExpiredError || error instanceof TicketNotAllowedError || error instanceof HttpAuthenticationError) {
    return EXIT.authentication;
  }
  if (error instanceof ChecksumMismatchError) return EXIT.integrity;
  if (error instanceof AbortError) return EXIT.cancelled;
  return EXIT.failure;
}
