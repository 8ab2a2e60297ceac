// The port through which a transfer reaches the service: calls with the session's ticket filled
// in, each tried as the decision table says, warnings, and what the session has learnt about its
// server. Transfers know this interface, never the session that implements it.
import type { OperationName, RequestOf, ResultOf } from '../../generated/srv.js';
import type { CallOptions } from '../soap/client.js';
import type { TransferBudget } from './budget.js';
import type { SrvError } from '../errors.js';
import type { Decision, Step, StepFacts } from './decisions.js';
import type { FailureKinds } from './failures.js';
import type { CallOutcome } from './retry.js';

/** The parameters a session fills in with its ticket, under the name each operation uses. */
export const TICKET_PARAMETERS = ['authenticationTicket', 'AuthenticationTicket'] as const;
export type TicketParameter = (typeof TICKET_PARAMETERS)[number];

/** An operation's request without its ticket, which the session supplies. */
export type SessionRequest<K extends OperationName> = Omit<RequestOf<K>, TicketParameter>;

export type { FailureKinds } from './failures.js';

/** The options of a call a transfer makes as one of its steps. */
export interface StepCallOptions<K extends OperationName, T> extends CallOptions {
  /** The transfer step the call is, for the decision table (default 'call'). */
  step?: Step;
  /** What the step knows of itself, read at each failure. */
  facts?: () => StepFacts;
  /** How the step's earlier sends failed (a finalize sent again after a lost reply): the table counts them as this call's. */
  earlier?: FailureKinds;
  /** Turns a successful result into the step's value; what it throws is a failed attempt, which the table judges. */
  accept?: (result: ResultOf<K>) => T;
  /** The transfer's counter, told of every resend. */
  budget?: TransferBudget;
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
  /** For a retry or a restart: the number of the attempt that failed, from 1 (a call's, or a transfer's). */
  attempt?: number | undefined;
  /** 'warning': something the user should know even when not debugging (default 'info'). */
  severity?: 'info' | 'warning' | undefined;
}

/** What the session has learnt about its server, so that each next transfer starts from it. */
export interface ServerTraits {
  /** The largest upload chunk the server took, once it refused a larger one as too large. */
  uploadChunkLimit?: number;
  /**
   * The request size the server is taken to refuse above: once it refused a larger request as too large and a
   * chunk sized under this passed. 30,000,000 bytes, the default of ASP.NET Core (Kestrel) and IIS.
   */
  maxRequestBytes?: number;
  /** The server refused unpadded chunk CRCs and took zero-padded ones. */
  padsCrc?: boolean;
  /** Whether the last chunk's reply carries filehexcrc; undefined until an upload has seen one. */
  reportsFileCrc?: boolean;
  /** Whether the server lists a document's versions (GetDocumentVersions); false once it refused the call. */
  listsVersions?: boolean;
  /** The server failed a chunk read while another of the same handler was in flight: downloads read one chunk at a time. */
  serialChunkReads?: boolean;
  /** The server's upload limits, asked for once (getApplicationParameters, GetGeneralAppSettings). */
  uploadLimits?: Promise<UploadLimits> | undefined;
  /** Folders an upload found or made, so that the next upload into one does not ask again. */
  readonly folders: Set<string>;
}

/** The server's upload limits in bytes; undefined where the server does not tell one (C42). */
export interface UploadLimits {
  /** getApplicationParameters' FILEUPLOADLIMIT. */
  fileUploadLimit: number | undefined;
  /** GetGeneralAppSettings' DocumentMaxSize. */
  documentMaxSize: number | undefined;
  /** The smaller of the two known ones: the largest file an upload is let try. */
  maxUploadSize: number | undefined;
}

/** A request, or one written afresh for each attempt (from what the session has learnt by then). */
export type RequestFor<K extends OperationName> = SessionRequest<K> | (() => SessionRequest<K>);

export interface ServicePort {
  /** Calls an operation as one step of a transfer: its value, or the failure that ended it with the table's decision. */
  attempt<K extends OperationName, T = ResultOf<K>>(operation: K, request: RequestFor<K>, options?: StepCallOptions<K, T>): Promise<CallOutcome<T>>;
  /** Calls an operation as one step of a transfer, throwing the failure that ended it. */
  call<K extends OperationName, T = ResultOf<K>>(operation: K, request: RequestFor<K>, options?: StepCallOptions<K, T>): Promise<T>;
  readonly learned: ServerTraits;
  /** Retries a call may have (the session's retry.retries): a step a transfer sends again itself counts against it too. */
  readonly retries: number;
  warn(warning: SessionWarning): void;
  /**
   * Whether the caller lets the transfer make the restart or halving the table decided
   * (SessionOptions.shouldRetry); `attempt`: the number of the transfer's attempt that failed, from 1.
   */
  consents(error: SrvError, attempt: number, decision: Decision): boolean;
  /** Gives back a chunk's content once nothing refers to it, so that a later reply can be decoded into its memory. */
  recycle(content: Buffer): void;
}
