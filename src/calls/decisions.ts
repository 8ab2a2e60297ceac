// The decision table: what a failed step of a call or a transfer leads to. Every resend, new login,
// restart, halving and confirmation the client makes is decided here, from the step, what went
// wrong (failures.ts) and what is known of the server and the step, and nowhere else. Each row is
// one line of docs/protocol.md, "The decision table"; test/calls/decisions.test.ts has a test per row.
import type { OperationName } from '../../generated/srv.js';
import { TransportError, type SrvError } from '../errors.js';
import { classify, type Failure, type FailureKind } from './failures.js';

export type Step =
  /** Any call outside a transfer's own steps: logins, lookups, a direct session.call. */
  | 'call'
  /** CreateUploadHandler, GetDownloadHandler(ByVersion). */
  | 'grant'
  /** UploadFileChunk. */
  | 'chunk'
  /** The upload's source, once read: did the file change while it was read? */
  | 'source'
  /** The last chunk's filehexcrc (or its absence after a lost reply) against the source's CRC-32. */
  | 'prove'
  /** The finalizer: UploadDocumentWithHandler(1/2/3), UploadNewDocumentWidthHandler. */
  | 'finalize'
  /** A finalize whose reply was lost, settled by the stored document. */
  | 'confirm'
  /** Without filehexcrc: the stored CRC-32 after the finalize against the source's. */
  | 'check-stored'
  /** DownloadFileChunk. */
  | 'read'
  /** The downloaded file's CRC-32 against the handler's. */
  | 'verify'
  /** DeleteUploadHandler, DeleteDownloadHandler, LogOut. */
  | 'cleanup';

export type Action =
  /** The same request once more (same handler), after a backoff: one retry of the budget. */
  | 'resend'
  /** Log in again, then the same request once more; not counted as a retry. */
  | 'relogin'
  /** Give the handler up (it is deleted) and start over with a new one: one restart of maxRestarts. */
  | 'restart'
  /** Download: start over with a new handler, keeping the verified bytes if it stages the same file. */
  | 'restart-keep'
  /**
   * Upload: start over with half the chunk size, or, when the refused request was over ASP.NET Core's default
   * limit, the largest chunk that fits under it; bounded by the smallest size, not by maxRestarts.
   */
  | 'halve'
  /** Finalize: settle a lost reply by the stored document instead of uploading a second time. */
  | 'confirm'
  /** Download: read the rest of the handler one chunk at a time, this chunk again. */
  | 'serialize'
  /** End with the error (a handler given up is deleted). */
  | 'fail';

/** What the server is known to do; undefined until seen. */
export interface ServerKnowledge {
  readonly reportsFileCrc?: boolean | undefined;
  readonly padsCrc?: boolean | undefined;
}

/** What a decision teaches about the server, for the session's next steps and transfers. */
export interface Lesson {
  padsCrc?: true;
  serialChunkReads?: true;
}

/** The facts a step knows about itself. */
export interface StepFacts {
  /** The chunk is larger than the smallest the service grants. */
  readonly chunkAboveMinimum?: boolean;
  /** The chunk is the first of its handler. */
  readonly firstChunk?: boolean;
  /** The chunk's CRC-32 went out with fewer than 8 hex digits. */
  readonly unpaddedCrc?: boolean;
  /** Other reads of the same handler are in flight. */
  readonly readsInFlight?: number;
  /** The document had to be new: it cannot be uploaded again as a new version. */
  readonly mustBeNew?: boolean;
  /** Confirm: what the stored versions showed of the upload's bytes after the finalize failed. */
  readonly settled?: 'absent' | 'other' | 'unknown';
  /** The caller asked for an upload whose source changes to start over with the new content. */
  readonly restartOnSourceChange?: boolean;
  /** The source (upload) or destination (download) can be read or written again from the start. */
  readonly canStartOver?: boolean;
}

export interface Situation extends StepFacts {
  /** The kinds of this step's earlier failures, in order. */
  readonly earlier: readonly FailureKind[];
  /** A retry is left in the budget and the deadline. */
  readonly canResend: boolean;
  /** The call carries the session's ticket, which a new login replaces (a session without credentials says why it cannot). */
  readonly canRelogin: boolean;
  /** Repeating the operation has the effect of making it once. */
  readonly idempotent: boolean;
  readonly server: ServerKnowledge;
}

export interface Decision {
  readonly action: Action;
  /** The number of the row that decided, from 1, as docs/protocol.md numbers them. */
  readonly row: number;
  /** Why, in a few words: for warnings and the docs. */
  readonly why: string;
  readonly learn?: Lesson;
  /** A resend that is not told as a retry: the service asked for it. */
  readonly quiet: boolean;
  /** A failure whose outcome is unknown: the service may or may not have done what was asked. */
  readonly unknown: boolean;
}

type Match<T> = T | readonly T[] | '*';

export interface Row {
  readonly step: Match<Step>;
  readonly failure: Match<FailureKind>;
  /** The condition, in words for the docs. */
  readonly if?: string;
  readonly when?: (situation: Situation, failure: Failure) => boolean;
  readonly action: Action;
  readonly why: string;
  readonly learn?: Lesson;
  /** A resend that is not told as a retry. */
  readonly quiet?: true;
  /** A failure that leaves the outcome unknown. */
  readonly unknown?: true;
}

const lost = (s: Situation) => s.earlier.includes('maybe-applied');

/** First match wins. */
export const DECISION_TABLE: readonly Row[] = [
  { step: '*', failure: 'cancelled', action: 'fail', why: 'the caller cancelled' },
  {
    step: '*', failure: 'ticket-dead', if: 'the call carries the ticket, and the attempt was not the repeat right after a new login',
    when: (s) => s.canRelogin && s.earlier.at(-1) !== 'ticket-dead',
    action: 'relogin', why: 'a dead ticket refused the request unapplied: log in again and repeat it once',
  },
  { step: '*', failure: 'ticket-dead', action: 'fail', why: 'the session has no credentials, or the ticket died again right after a new login' },
  {
    step: 'chunk', failure: 'too-large', if: 'the chunk is above the smallest size', when: (s) => s.chunkAboveMinimum === true,
    action: 'halve', why: 'the server refuses requests this large; smaller chunks may pass',
  },
  {
    step: 'chunk', failure: 'maybe-applied', if: 'a reset while the first chunk above the smallest size was sent',
    when: (s, f) => f.resetWhileSending && s.firstChunk === true && s.chunkAboveMinimum === true,
    action: 'halve', why: 'a server that will not read a body that large closes the connection on it',
  },
  {
    step: 'chunk', failure: 'refused', if: 'the first chunk, above the smallest size', when: (s) => s.firstChunk === true && s.chunkAboveMinimum === true,
    action: 'halve', why: 'a refusal of the first chunk may be a size limit in words no list knows: a smaller chunk tells (one still refused at the smallest size was not about size)',
  },
  {
    step: 'chunk', failure: 'maybe-applied', if: 'no retry left, an unhandled server exception on every try of the first chunk, above the smallest size',
    when: (s, f) => !s.canResend && f.serverFailure && s.firstChunk === true && s.chunkAboveMinimum === true,
    action: 'halve', why: 'a server that fails on every body this large may take a smaller one',
  },
  { step: '*', failure: ['too-large', 'permanent'], action: 'fail', why: 'the same request meets the same failure' },
  {
    step: 'chunk', failure: 'integrity', if: 'a retry is left, the CRC-32 went unpadded, and this is the second refusal',
    when: (s) => s.canResend && s.unpaddedCrc === true && s.earlier.includes('integrity'),
    action: 'resend', learn: { padsCrc: true }, quiet: true, why: 'a server that wants 8 hex digits keeps refusing fewer: resend the CRC-32 zero-padded',
  },
  { step: 'chunk', failure: 'integrity', if: 'a retry is left', when: (s) => s.canResend, action: 'resend', quiet: true, why: 'the server asked for the chunk again (tryagain): it was not appended' },
  { step: 'chunk', failure: 'not-sent', if: 'a retry is left', when: (s) => s.canResend, action: 'resend', why: 'the request cannot have reached the server' },
  {
    step: 'chunk', failure: 'maybe-applied', if: 'a retry is left, and the server is not known to omit filehexcrc',
    when: (s) => s.canResend && s.server.reportsFileCrc !== false,
    action: 'resend', why: 'the append may have happened; the last chunk\'s filehexcrc proves the staged bytes, or the upload starts over',
  },
  {
    step: 'chunk', failure: 'maybe-applied', if: 'the server is known to omit filehexcrc', when: (s) => s.server.reportsFileCrc === false,
    action: 'restart', why: 'nothing could prove the staged bytes after a possible double append',
  },
  { step: 'chunk', failure: 'handler-gone', action: 'restart', why: 'the handler expired, was deleted or belongs to an old session' },
  { step: 'chunk', failure: 'refused', if: 'an earlier reply of this chunk was lost', when: lost, action: 'restart', why: 'after a lost reply, a refusal says nothing reliable about the staged bytes' },
  {
    step: 'source', failure: 'source-changed', if: 'the caller asked for it (onSourceChange: \'restart\')', when: (s) => s.restartOnSourceChange === true,
    action: 'restart', why: 'the file changed while it was read: start over with its new content, never a mix of the two',
  },
  { step: 'prove', failure: ['integrity', 'maybe-applied'], action: 'restart', why: 'the staged bytes are not the source\'s (filehexcrc), or nothing proves them after a lost reply' },
  { step: 'finalize', failure: 'not-sent', if: 'a retry is left', when: (s) => s.canResend, action: 'resend', why: 'the finalize cannot have reached the server' },
  {
    step: 'finalize', failure: 'maybe-applied', action: 'confirm',
    why: 'the finalize may have stored the document: the versions stored since the upload began settle it, never a second finalize that could store it twice',
  },
  { step: 'finalize', failure: 'handler-gone', if: 'an earlier reply of this finalize was lost', when: lost, action: 'confirm', why: 'the lost finalize may have consumed the handler: the stored versions settle it' },
  { step: 'finalize', failure: 'handler-gone', action: 'restart', why: 'no finalize reply was lost, so the handler expired, was deleted or belongs to an old session' },
  {
    step: 'confirm', failure: '*', if: 'the stored versions cannot tell', when: (s) => s.settled === 'unknown',
    action: 'fail', unknown: true, why: 'nothing tells whether the finalize stored the document: its outcome is unknown',
  },
  {
    step: 'confirm', failure: 'handler-gone', action: 'restart',
    why: 'the handler was consumed, but no version of this upload\'s bytes was stored: the upload starts over',
  },
  {
    step: 'confirm', failure: 'maybe-applied', if: 'the client or a gateway gave up waiting for the finalize', when: (_s, f) => f.slow,
    action: 'fail', unknown: true, why: 'the finalize may still be running, and no version of this upload\'s bytes appeared while it was waited for: a second finalize could store it twice, so its outcome is unknown',
  },
  {
    step: 'confirm', failure: 'maybe-applied', if: 'a retry is left', when: (s) => s.canResend,
    action: 'resend', why: 'the finalize was answered and stored nothing: it is sent again with the same handler',
  },
  { step: 'confirm', failure: 'maybe-applied', action: 'fail', why: 'every finalize failed, and none stored the document' },
  {
    step: 'check-stored', failure: 'integrity', if: 'the document had to be new', when: (s) => s.mustBeNew === true,
    action: 'fail', why: 'the stored document is wrong and cannot be replaced by a new version',
  },
  { step: 'check-stored', failure: 'integrity', action: 'restart', why: 'the stored document is wrong: it is uploaded again, as a new version' },
  {
    step: 'read', failure: 'maybe-applied', if: 'an unhandled server exception while other reads of the handler were in flight',
    when: (s, f) => f.serverFailure && (s.readsInFlight ?? 0) > 1,
    action: 'serialize', learn: { serialChunkReads: true }, why: 'a server whose handler holds one file stream fails overlapping reads',
  },
  { step: 'read', failure: ['not-sent', 'maybe-applied', 'integrity'], if: 'a retry is left', when: (s) => s.canResend, action: 'resend', why: 'a chunk is addressed by its offset: reading it again is harmless' },
  { step: 'read', failure: 'handler-gone', action: 'restart-keep', why: 'the handler expired or belongs to an old session; a new one that stages the same file keeps what is verified' },
  { step: 'verify', failure: 'integrity', action: 'restart', why: 'the file received is not the file staged: it is fetched again' },
  {
    step: ['call', 'grant', 'cleanup'], failure: ['not-sent', 'maybe-applied'], if: 'the operation is safe to repeat, and a retry is left',
    when: (s) => s.idempotent && s.canResend, action: 'resend', why: 'repeating the call has the effect of making it once',
  },
  { step: '*', failure: '*', action: 'fail', why: 'nothing makes another try safe or useful' },
];

/** What starts the transfer over, reading its source (or writing its destination) again from the start. */
const STARTS_OVER: ReadonlySet<Action> = new Set(['restart', 'restart-keep', 'halve']);

/**
 * The decision for a failed step: the first row that matches. A start-over the transfer cannot
 * make (a one-shot stream already read, a stream already written to) fails instead.
 */
export function decide(step: Step, failure: Failure, situation: Situation): Decision {
  const index = DECISION_TABLE.findIndex((r) => matches(r.step, step) && matches(r.failure, failure.kind) && (r.when?.(situation, failure) ?? true));
  const row = DECISION_TABLE[index] as Row;
  const decided = { row: index + 1, quiet: row.quiet === true, unknown: row.unknown === true };
  if (STARTS_OVER.has(row.action) && situation.canStartOver === false) {
    return { ...decided, action: 'fail', unknown: false, why: `${row.why}, but the transfer cannot start over: its source or destination cannot be read or written again` };
  }
  return { ...decided, action: row.action, why: row.why, ...(row.learn && { learn: row.learn }) };
}

function matches<T>(pattern: Match<T>, value: T): boolean {
  return pattern === '*' || (Array.isArray(pattern) ? pattern.includes(value) : pattern === value);
}

/**
 * Repeating the call has the effect of making it once, so a failed attempt may be resent. LogOut
 * too: a repeat of one that was applied is refused for its dead ticket, which is what it was for.
 */
export const IDEMPOTENT: ReadonlySet<OperationName> = new Set<OperationName>([
  'AuthenticateUser', 'AuthenticateUser1', 'RenewTicket', 'isValidTicket', 'LogOut', 'ServerInfo',
  'CreateUploadHandler', 'DeleteUploadHandler',
  'GetDownloadHandler', 'GetDownloadHandlerByVersion', 'DownloadFileChunk', 'DeleteDownloadHandler',
  'DocumentExists', 'DocumentExists1', 'FolderExists', 'CreateFolder',
  'GetDownloadInfo', 'GetDownloadInfoByVersion', 'GetDocumentVersions', 'GetDocumentVersion',
  'GetFoldersAndDocumentsByPage', 'GetFoldersAndDocuments1', 'getApplicationParameters', 'GetGeneralAppSettings', 'GetCheckedoutDocuments',
]);

/**
 * The decision for a failed check that is no call (source, prove, confirm, check-stored, verify):
 * no new login. `earlier`: the failures of the step it settles (a finalize's, for confirm);
 * `canResend`: that step may be sent again (confirm: a finalize with a retry left).
 */
export function decideCheck(step: Step, error: unknown, facts: StepFacts, server: ServerKnowledge, earlier: readonly FailureKind[] = [], canResend = false): { failure: Failure; decision: Decision } {
  const failure = classify(error);
  return { failure, decision: decide(step, failure, { ...facts, earlier, canResend, canRelogin: false, idempotent: false, server }) };
}

/**
 * The request limit of ASP.NET Core (Kestrel's MaxRequestBodySize) and of IIS (maxAllowedContentLength) where a
 * site left it as it is: a larger request refused for its size is taken to have met it.
 */
const DEFAULT_REQUEST_LIMIT = 30_000_000;
/** What the envelope around a chunk may add, kept free below a request limit. */
const ENVELOPE_MARGIN = 65_536;

/** The chunk size a 'halve' goes on with, and what it went by. */
export interface SmallerChunk {
  readonly chunkSize: number;
  /** DEFAULT_REQUEST_LIMIT, where the refused request was over it and the size keeps under it. */
  readonly requestLimit: number | undefined;
  /** The refused request's size, where the client noted it. */
  readonly requestBytes: number | undefined;
}

/**
 * How a 'halve' is carried out, after `error` refused a chunk of `sentBytes` (of the size `chunkSize`): where the
 * refused request was over DEFAULT_REQUEST_LIMIT, the largest chunk, in whole `step`s, whose request stays under it
 * (going by what that chunk's request took), else half the size; never below `step`, the smallest chunk.
 */
export function smallerChunk(error: SrvError, chunkSize: number, sentBytes: number, step: number): SmallerChunk {
  const requestBytes = error instanceof TransportError ? error.requestBytes : undefined;
  const half = { chunkSize: Math.max(step, Math.floor(chunkSize / 2)), requestLimit: undefined, requestBytes };
  if (requestBytes === undefined || requestBytes <= DEFAULT_REQUEST_LIMIT || sentBytes === 0) return half;
  const fitting = Math.floor((sentBytes * (DEFAULT_REQUEST_LIMIT - ENVELOPE_MARGIN)) / requestBytes / step) * step;
  return fitting < step ? half : { chunkSize: fitting, requestLimit: DEFAULT_REQUEST_LIMIT, requestBytes };
}
