// Every failure the client reports is one of these classes. Business failures are classified by
// the numeric code of the service's message, never by its wording (contract §1.3, C15).

/** The base of every error this library throws. */
export class SrvError extends Error {
  /** The operation that failed, when one was under way. */
  readonly operation: string | undefined;

  constructor(message: string, options: { operation?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.operation = options.operation;
  }
}

/** An argument was missing or invalid; nothing was sent. */
export class InvalidArgumentError extends SrvError {
  constructor(readonly argument: string, problem: string, operation?: string) {
    super(`${operation ? `${operation}: ` : ''}${argument} ${problem}`, { operation });
  }
}

/** The service answered success="false" (or without success): a failure it reported in-band. */
export class ServiceError extends SrvError {
  /** The numeric code of a "[NNN] ..." message, when it has one. */
  readonly code: number | undefined;
  /** The service's message, with any secret of the call removed. */
  readonly serverMessage: string;

  constructor(serverMessage: string, options: { operation?: string; code?: number } = {}) {
    super(`${options.operation ?? 'call'} failed: ${serverMessage || '(no error message)'}`, options);
    this.code = options.code;
    this.serverMessage = serverMessage;
  }
}

/** [900] Authentication failed: wrong credentials, or an invalid or missing ticket. */
export class AuthenticationError extends ServiceError {}
/** [901] Session expired or Invalid ticket. */
export class TicketExpiredError extends ServiceError {}
/** [902] Ticket generation not allowed for this account. */
export class TicketNotAllowedError extends ServiceError {}
/** The handler is not a GUID or not an active handler ("Invalid upload handler.", "bad Request"). */
export class InvalidHandlerError extends ServiceError {}
/** The handler no longer exists: expired or deleted. */
export class HandlerNotFoundError extends ServiceError {}
/** A document or folder does not exist. */
export class NotFoundError extends ServiceError {}
/** "SystemError: ...": an unhandled exception on the server. */
export class ServerError extends ServiceError {}

/** A SOAP Fault (1.1 faultcode/faultstring or 1.2 Code/Reason), usually with HTTP 500. */
export class SoapFaultError extends SrvError {
  constructor(
    readonly faultCode: string,
    readonly faultString: string,
    readonly httpStatus: number,
    operation?: string,
  ) {
    super(`${operation ?? 'call'}: SOAP fault ${faultCode}: ${faultString}`, { operation });
  }
}

/** The exchange itself failed: no usable reply. */
export class TransportError extends SrvError {
  /** False only when the request certainly did not take effect (refused connection, DNS, HTTP 413). */
  readonly mayHaveReachedServer: boolean;
  readonly httpStatus: number | undefined;

  constructor(
    message: string,
    options: { operation?: string; cause?: unknown; mayHaveReachedServer: boolean; httpStatus?: number },
  ) {
    super(message, options);
    this.mayHaveReachedServer = options.mayHaveReachedServer;
    this.httpStatus = options.httpStatus;
  }
}

/** The TLS handshake failed: a certificate was refused (expired, wrong host, unknown CA) or none was given. */
export class CertificateError extends TransportError {}

/** No complete reply within the call's timeout. */
export class TimeoutError extends TransportError {}

/** A reply came, but it is not a result of the operation: non-XML, malformed or of another shape. */
export class UnexpectedResponseError extends TransportError {}

/** A reply of the operation whose content cannot be what the operation returns. */
export function malformedReply(operation: string, problem: string): UnexpectedResponseError {
  return new UnexpectedResponseError(`${operation}: the reply's ${problem}`, { operation, mayHaveReachedServer: true });
}

/** The caller's AbortSignal fired. */
export class AbortError extends SrvError {
  constructor(reason: unknown, operation?: string) {
    super(`${operation ?? 'call'} was cancelled`, { operation, cause: reason });
  }
}

const SERVICE_ERROR_BY_CODE: Readonly<Record<number, typeof ServiceError>> = {
  900: AuthenticationError,
  901: TicketExpiredError,
  902: TicketNotAllowedError,
};

/** Maps the service's in-band error message to its class. */
export function serviceErrorFor(serverMessage: string, operation?: string): ServiceError {
  const message = serverMessage.trim();
  const coded = /^\[(\d{3})\]\s*(.*)$/s.exec(message);
  if (coded) {
    const code = Number(coded[1]);
    const ErrorClass = SERVICE_ERROR_BY_CODE[code] ?? ServiceError;
    return new ErrorClass(message, { operation, code });
  }
  return new (uncodedErrorClass(message))(message, { operation });
}

function uncodedErrorClass(message: string): typeof ServiceError {
  if (/^systemerror:/i.test(message)) return ServerError;
  if (/handler/i.test(message) && /not found|expired/i.test(message)) return HandlerNotFoundError;
  if (/invalid (upload|download) handler|^bad request$/i.test(message)) return InvalidHandlerError;
  if (/not found/i.test(message)) return NotFoundError;
  return ServiceError;
}

/** Bytes did not match their CRC-32 after every allowed retry and restart. */
export class ChecksumMismatchError extends SrvError {
  constructor(
    message: string,
    readonly expected: string,
    readonly actual: string,
    options: { operation?: string } = {},
  ) {
    super(message, options);
  }
}
