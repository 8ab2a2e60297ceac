// The options of SrvSession.login and SrvSession.fromTicket (session.ts), and their tables: the
// client's options and a session's own.
import type { SessionWarning } from '../calls/port.js';
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
}

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
  ...CLIENT_OPTIONS,
} as const satisfies OptionTable<SessionOptions>;

export const LOGIN_OPTIONS = {
  user: { required: true, summary: 'the user name; the session keeps it to log in again when the ticket dies', cli: '--user' },
  password: { required: true, summary: 'the password, kept with the user name', cli: '--password' },
  language: { defaultText: "the server's", summary: "a session language (AuthenticateUser1), e.g. `'en'`" },
  signal: { summary: 'cancels the login, its retries and their waits included' },
  ...SESSION_OPTIONS,
} as const satisfies OptionTable<LoginOptions>;

export const TICKET_OPTIONS = {
  ticket: { required: true, summary: 'a ticket you already have; when it dies, calls fail with TicketExpiredError', cli: '--ticket' },
  logOutOnClose: { default: false, summary: 'whether `close()` logs the ticket out; a ticket passed in belongs to the caller' },
  ...SESSION_OPTIONS,
} as const satisfies OptionTable<TicketOptions>;
