// Which calls may be repeated, and when. Per operation, from the service's documented behaviour: an
// operation not listed here is never repeated blindly.
import type { OperationName } from '../../generated/srv.js';
import {
  AuthenticationError,
  CertificateError,
  EndpointError,
  HandlerNotFoundError,
  HostNotFoundError,
  HttpAuthenticationError,
  InvalidHandlerError,
  MalformedReplyError,
  ReplyTooLargeError,
  RequestTooLargeError,
  ServerError,
  ServiceError,
  SoapFaultError,
  TicketExpiredError,
  TransportError,
} from '../errors.js';
import { saysTooLarge } from '../soap/reply.js';

/** Repeating the call has the effect of making it once, so a failed attempt may be resent. */
export const IDEMPOTENT: ReadonlySet<OperationName> = new Set<OperationName>([
  'AuthenticateUser', 'AuthenticateUser1', 'RenewTicket', 'isValidTicket', 'ServerInfo',
  'CreateUploadHandler', 'DeleteUploadHandler',
  'GetDownloadHandler', 'GetDownloadHandlerByVersion', 'DownloadFileChunk', 'DeleteDownloadHandler',
  'DocumentExists', 'DocumentExists1', 'FolderExists', 'CreateFolder',
]);

/** [900] and [901] both mean the ticket is dead on a call that carries one: the service documents both for a bad ticket. */
export function isDeadTicket(error: unknown): boolean {
  return error instanceof TicketExpiredError || error instanceof AuthenticationError;
}

/** The handler is not (or no longer) an active handler: expired, deleted, consumed or another session's. */
export function handlerIsGone(error: unknown): boolean {
  return error instanceof InvalidHandlerError || error instanceof HandlerNotFoundError;
}

/** Transport failures that the same request meets again: a wrong URL or host, credentials, certificates, sizes. */
const PERMANENT_TRANSPORT = [CertificateError, HostNotFoundError, EndpointError, HttpAuthenticationError, RequestTooLargeError, ReplyTooLargeError, MalformedReplyError];

/**
 * A failure that may pass: the exchange broke, or the server hit an unhandled exception
 * (`SystemError:` in-band, or a server SOAP fault as classic ASMX sends with HTTP 500).
 * After one, the request may have been applied.
 */
export function isTransient(error: unknown): boolean {
  if (error instanceof TransportError) return !PERMANENT_TRANSPORT.some((kind) => error instanceof kind);
  return isServerFailure(error);
}

/** The server hit an unhandled exception: `SystemError:` in-band, or a server SOAP fault. */
export function isServerFailure(error: unknown): boolean {
  return error instanceof ServerError || (error instanceof SoapFaultError && error.side === 'server');
}

/**
 * The server refused a request for its size: HTTP 413 or IIS 404.13, or a fault or error that says
 * so (classic ASP.NET answers a 500 fault, never 413). The request was not acted on.
 */
export function isRequestTooLarge(error: unknown): boolean {
  if (error instanceof RequestTooLargeError) return true;
  if (error instanceof SoapFaultError) return saysTooLarge(error.faultString);
  return error instanceof ServiceError && saysTooLarge(error.serverMessage);
}
