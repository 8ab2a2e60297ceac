// What went wrong with a call, in the terms the decision table (decisions.ts) decides by: not what
// a server said, but what it means for the request (not sent, maybe applied, refused, …).
import {
  AbortError,
  AuthenticationError,
  CertificateError,
  ChecksumMismatchError,
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
  SourceChangedError,
  SrvError,
  TicketExpiredError,
  TimeoutError,
  TransportError,
} from '../errors.js';
import { saysTooLarge } from '../soap/reply.js';

export type FailureKind =
  /** The caller's signal fired. */
  | 'cancelled'
  /** The request certainly did not reach the server (a refused connection, nothing written). */
  | 'not-sent'
  /** The request may have been applied: a lost or broken reply, a timeout after sending, 5xx, an unhandled server exception. */
  | 'maybe-applied'
  /** The server refused the request for its size; it was not acted on. */
  | 'too-large'
  /** [900]/[901] on a call that carries a ticket: refused, not applied. */
  | 'ticket-dead'
  /** The handler is not (or no longer) an active handler: expired, deleted, consumed or another session's. */
  | 'handler-gone'
  /** Bytes did not match their CRC-32, or the server asked for a chunk again (tryagain). */
  | 'integrity'
  /** The service refused the request in-band or with a sender fault: not applied. */
  | 'refused'
  /** The source file changed while it was read for an upload. */
  | 'source-changed'
  /** The same request meets the same failure: URL, host, certificates, credentials, a malformed or oversized reply, a bad argument. */
  | 'permanent';

/** How the failed attempts of a step went, oldest first. */
export type FailureKinds = readonly FailureKind[];

export interface Failure {
  readonly kind: FailureKind;
  readonly error: SrvError;
  /** The server hit an unhandled exception (`SystemError:` in-band, or a server SOAP fault). */
  readonly serverFailure: boolean;
  /** The connection was reset while the request was still being sent, before any reply. */
  readonly resetWhileSending: boolean;
  /** The client, or a gateway (504), gave up waiting: the server may still be working on the request. */
  readonly slow: boolean;
}

/** Transport failures that the same request meets again. */
const PERMANENT_TRANSPORT = [CertificateError, HostNotFoundError, EndpointError, HttpAuthenticationError, ReplyTooLargeError, MalformedReplyError];
/** Connection errors of a server that closes on a request body it will not read. */
const RESET_WHILE_SENDING = new Set(['ECONNRESET', 'EPIPE']);

export function classify(thrown: unknown): Failure {
  const error = thrown instanceof SrvError ? thrown : new SrvError(String(thrown), { cause: thrown });
  const serverFailure = error instanceof ServerError || (error instanceof SoapFaultError && error.side === 'server');
  const resetWhileSending = error instanceof TransportError && error.httpStatus === undefined && RESET_WHILE_SENDING.has(error.code ?? '');
  const slow = error instanceof TimeoutError || (error instanceof TransportError && error.httpStatus === 504);
  return { kind: kindOf(error, serverFailure), error, serverFailure, resetWhileSending, slow };
}

function kindOf(error: SrvError, serverFailure: boolean): FailureKind {
  if (error instanceof AbortError) return 'cancelled';
  if (isTooLarge(error)) return 'too-large';
  if (error instanceof TicketExpiredError || error instanceof AuthenticationError) return 'ticket-dead';
  if (error instanceof InvalidHandlerError || error instanceof HandlerNotFoundError) return 'handler-gone';
  if (error instanceof ChecksumMismatchError) return 'integrity';
  if (error instanceof SourceChangedError) return 'source-changed';
  if (error instanceof TransportError) {
    if (PERMANENT_TRANSPORT.some((kind) => error instanceof kind)) return 'permanent';
    return error.mayHaveReachedServer ? 'maybe-applied' : 'not-sent';
  }
  if (serverFailure) return 'maybe-applied';
  if (error instanceof ServiceError || error instanceof SoapFaultError) return 'refused';
  return 'permanent';
}

/**
 * HTTP 413 or IIS 404.13, or a fault or error that says so (classic ASP.NET answers a 500 fault,
 * never 413). The request was not acted on.
 */
function isTooLarge(error: SrvError): boolean {
  if (error instanceof RequestTooLargeError) return true;
  if (error instanceof SoapFaultError) return saysTooLarge(error.faultString);
  return error instanceof ServiceError && saysTooLarge(error.serverMessage);
}
