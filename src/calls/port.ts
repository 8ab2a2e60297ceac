// The port through which a transfer reaches the service: calls with the session's ticket filled
// in, the retry budget, warnings, and what the session has learnt about its server. Transfers
// know this interface, never the session that implements it.
import type { OperationName, RequestOf, ResultOf } from '../../generated/srv.js';
import type { CallOptions } from '../soap/client.js';
import type { RetryOptions } from './retry.js';

/** The parameters a session fills in with its ticket, under the name each operation uses. */
export const TICKET_PARAMETERS = ['authenticationTicket', 'AuthenticationTicket'] as const;
export type TicketParameter = (typeof TICKET_PARAMETERS)[number];

/** An operation's request without its ticket, which the session supplies. */
export type SessionRequest<K extends OperationName> = Omit<RequestOf<K>, TicketParameter>;

export interface PortCallOptions<K extends OperationName = OperationName> extends CallOptions {
  /** Told of each failed attempt that is about to be repeated. */
  onRetry?: (error: unknown) => void;
  /**
   * Checks a successful result. A ChecksumMismatchError it throws is retried like a transient
   * failure, within the same retry budget; any other error ends the call.
   */
  check?: (result: ResultOf<K>) => void;
}

/** What did not fail the work, but is worth telling. */
export interface SessionWarning {
  /** What happened: a call about to be repeated, a new login, a transfer starting over, a failed cleanup, or anything else. */
  kind: 'retry' | 'relogin' | 'restart' | 'cleanup' | 'notice';
  message: string;
  operation?: string | undefined;
  error?: unknown;
  /** For a retry: which one this is, of how many at most. */
  retry?: { number: number; of: number } | undefined;
  /** 'warning': something the user should know even when not debugging (default 'info'). */
  severity?: 'info' | 'warning' | undefined;
}

/** The warning that a failed call is about to be repeated. */
export function retryWarning(operation: OperationName, error: unknown, number: number, of: number): SessionWarning {
  return { kind: 'retry', message: `retrying ${operation}`, operation, error, retry: { number, of } };
}

/** What the session has learnt about its server, so that each next transfer starts from it. */
export interface ServerTraits {
  /** The largest upload chunk the server took, once it refused a larger one as too large. */
  uploadChunkLimit?: number;
  /** The server refused unpadded chunk CRCs and took zero-padded ones. */
  padsCrc?: boolean;
  /** Whether the last chunk's reply carries filehexcrc; undefined until an upload has seen one. */
  reportsFileCrc?: boolean;
  /** The server failed a chunk read while another of the same handler was in flight: downloads read one chunk at a time. */
  serialChunkReads?: boolean;
  /** Folders an upload found or made, so that the next upload into one does not ask again. */
  readonly folders: Set<string>;
}

export interface ServicePort {
  /**
   * Calls an operation with the session's ticket. Transient failures of idempotent operations are
   * retried within the call's one time limit; a dead ticket leads to one new login and one repeat.
   */
  call<K extends OperationName>(operation: K, request: SessionRequest<K>, options?: PortCallOptions<K>): Promise<ResultOf<K>>;
  readonly retry: Required<RetryOptions>;
  readonly learned: ServerTraits;
  warn(warning: SessionWarning): void;
  /** Gives back a chunk's content once nothing refers to it, so that a later reply can be decoded into its memory. */
  recycle(content: Buffer): void;
}
