// The options of SrvSession.login and SrvSession.fromTicket (session.ts), and their tables: the
// client's options and a session's own.
import type { Decision } from '../calls/decisions.js';
import type { SessionWarning } from '../calls/port.js';
import type { SrvError } from '../errors.js';
import type { Logger } from './log.js';
import type { RetryOptions } from '../calls/retry-options.js';
import { CLIENT_OPTIONS, type SrvClientOptions } from '../soap/client-options.js';
import type { OptionTable } from '../util/options.js';

export interface SessionOptions extends SrvClientOptions {
  /**
   * Retries of transient failures of calls that can be repeated, with exponential backoff and jitter.
   * @default each of RETRY_OPTIONS' defaults
   */
  retry?: RetryOptions;
  /**
   * Told of what went wrong without failing the work, e.g. a cleanup call that failed.
   * @default none
   */
  onWarning?: (warning: SessionWarning) => void;
  /**
   * Asked before each resend, new login, restart or halving the decision table decided to make
   * (docs/protocol.md, "The decision table"), with the error, the number of the attempt that failed
   * (from 1; a transfer's attempt for a restart) and the decision: false declines it, and the call
   * or transfer fails with the error (a handler given up is deleted as usual). It is never asked
   * of a failure the table ends, so it cannot make a retry the library would not.
   * @default none
   */
  shouldRetry?: ShouldRetry;
  /**
   * Given every warning (retries, new logins, restarts, notices, failed cleanups) as a structured
   * record: `(message, { kind, operation, attempt, retry, reason })`, at info or warn; `reason` is
   * the error's class and redacted message. No record carries a password, ticket or header.
   * @default none
   */
  logger?: Logger;
  /**
   * Calls a second at most, evenly spaced, for a server that cannot take more: every request the
   * session sends (each attempt of a call, a login, the logout) waits its turn.
   * @default none
   */
  maxCallsPerSecond?: number;
}

/** SessionOptions.shouldRetry: false declines the retry or restart the table decided. */
export type ShouldRetry = (error: SrvError, attempt: number, decision: Decision) => boolean;

export interface LoginOptions extends SessionOptions {
  user: string;
  password: string;
  /**
   * A session language (AuthenticateUser1), e.g. 'en'.
   * @default the server's
   */
  language?: string;
  /**
   * Cancels the login, its retries and their waits included.
   * @default none
   */
  signal?: AbortSignal;
}

/** SrvSession.loginTrusted: a ticket for any user against the server's trusted-user secret (CreateTicketforUser). */
export interface TrustedLoginOptions extends SessionOptions {
  user: string;
  trustedPassword: string;
  /**
   * Cancels the login, its retries and their waits included.
   * @default none
   */
  signal?: AbortSignal;
}

/** SrvSession.loginWindows: the Windows account of `auth` (NTLM or Negotiate) signs in (AuthenticateUserViaWindows). */
export interface WindowsLoginOptions extends SessionOptions {
  /**
   * A session language, e.g. 'en'; the account is `auth`'s (`{ type: 'ntlm' }` or `'negotiate'`).
   * @default the server's
   */
  language?: string;
  /**
   * Cancels the login, its retries and their waits included.
   * @default none
   */
  signal?: AbortSignal;
}

export interface TicketOptions extends SessionOptions {
  ticket: string;
  /**
   * Whether close() logs the ticket out; a ticket passed in belongs to the caller.
   * @default false
   */
  logOutOnClose?: boolean;
}

export const SESSION_OPTIONS = {
  retry: { defaultText: "each of RETRY_OPTIONS' defaults", summary: 'retries of transient failures: `{ retries, minDelayMs, maxDelayMs }`' },
  onWarning: { summary: 'told of what went wrong without failing the work (a retry, a cleanup that failed)' },
  logger: { summary: '`{ debug, info, warn, error }` (console, winston) given each warning as `(message, { kind, operation, attempt, reason })`, never a secret' },
  maxCallsPerSecond: { above: 0, summary: 'calls a second at most, evenly spaced: every request the session sends (each attempt, a login, the logout) waits its turn', cli: '--max-calls-per-second' },
  shouldRetry: { summary: "`(error, attempt, decision) => boolean`, asked before each resend, new login, restart or halving the decision table decided: `false` declines it and the error is thrown; never asked of a failure the table ends" },
  ...CLIENT_OPTIONS,
} as const satisfies OptionTable<SessionOptions>;

export const LOGIN_OPTIONS = {
  user: { required: true, summary: 'the user name; the session keeps it to log in again when the ticket dies', cli: '--user' },
  password: { required: true, summary: 'the password, kept with the user name', cli: '--password' },
  language: { defaultText: "the server's", summary: "a session language (AuthenticateUser1; for `loginWindows`, AuthenticateUserViaWindows), e.g. `'en'`" },
  signal: { summary: 'cancels the login, its retries and their waits included' },
  ...SESSION_OPTIONS,
} as const satisfies OptionTable<LoginOptions>;

export const TRUSTED_LOGIN_OPTIONS = {
  user: LOGIN_OPTIONS.user,
  trustedPassword: { required: true, summary: "`SrvSession.loginTrusted({ user, trustedPassword })`: the server's trusted-user secret (CreateTicketforUser), kept and hidden as a password" },
  signal: LOGIN_OPTIONS.signal,
  ...SESSION_OPTIONS,
} as const satisfies OptionTable<TrustedLoginOptions>;

export const WINDOWS_LOGIN_OPTIONS = {
  language: LOGIN_OPTIONS.language,
  signal: LOGIN_OPTIONS.signal,
  ...SESSION_OPTIONS,
} as const satisfies OptionTable<WindowsLoginOptions>;

export const TICKET_OPTIONS = {
  ticket: { required: true, summary: 'a ticket you already have; when it dies, calls fail with TicketExpiredError', cli: '--ticket' },
  logOutOnClose: { default: false, summary: 'whether `close()` logs the ticket out; a ticket passed in belongs to the caller' },
  ...SESSION_OPTIONS,
} as const satisfies OptionTable<TicketOptions>;
