// Which calls may be repeated, and when. Per operation, hand-written from the contract: an
// operation not listed here is never repeated blindly.
import type { OperationName } from '../../generated/srv.js';
import { AuthenticationError, CertificateError, HandlerNotFoundError, InvalidHandlerError, ServerError, TicketExpiredError, TransportError } from '../errors.js';

/** Repeating the call has the effect of making it once, so a failed attempt may be resent. */
export const IDEMPOTENT: ReadonlySet<OperationName> = new Set<OperationName>([
  'AuthenticateUser', 'AuthenticateUser1', 'RenewTicket', 'isValidTicket', 'ServerInfo',
  'CreateUploadHandler', 'DeleteUploadHandler',
  'GetDownloadHandler', 'GetDownloadHandlerByVersion', 'DownloadFileChunk', 'DeleteDownloadHandler',
  'DocumentExists', 'DocumentExists1', 'FolderExists', 'CreateFolder',
]);

/** The call uses a handler bound to the session that created it: a new login cannot rescue it. */
export const SESSION_BOUND: ReadonlySet<OperationName> = new Set<OperationName>([
  'UploadFileChunk', 'UploadDocumentWithHandler', 'UploadDocumentWithHandler1', 'UploadDocumentWithHandler2',
  'UploadDocumentWithHandler3', 'UploadNewDocumentWidthHandler', 'DownloadFileChunk',
]);

/** [900] and [901] both mean the ticket is dead on a call that carries one (contract C14). */
export function isDeadTicket(error: unknown): boolean {
  return error instanceof TicketExpiredError || error instanceof AuthenticationError;
}

/** The handler is not (or no longer) an active handler: expired, deleted, consumed or another session's. */
export function handlerIsGone(error: unknown): boolean {
  return error instanceof InvalidHandlerError || error instanceof HandlerNotFoundError;
}

/** A failure that may pass: the exchange broke, or the server hit an unhandled exception. */
export function isTransient(error: unknown): boolean {
  return (error instanceof TransportError && !(error instanceof CertificateError)) || error instanceof ServerError;
}
