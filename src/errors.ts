// Every failure the client reports is one of these classes. Business failures are classified by
// the numeric code of the service's message where it has one; only uncoded messages, which carry
// nothing else, are classified by their wording (see README.md#errors).

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

/** What is wrong with a local file argument: missing, of the wrong kind, already there, or unreadable. */
export type LocalPathProblem = 'missing' | 'not-a-file' | 'directory' | 'no-directory' | 'exists' | 'unreadable';

/** A local file argument that cannot serve (an upload's source file, a download's destination): the path as it was given. */
export interface LocalPath {
  readonly path: string;
  readonly problem: LocalPathProblem;
}

/** An argument was missing or invalid; nothing was sent. */
export class InvalidArgumentError extends SrvError {
  constructor(
    readonly argument: string,
    /** What is wrong with it, e.g. "must be a whole number from 262144 to 33554432". */
    readonly problem: string,
    operation?: string,
    /** Set when the argument is a local file that cannot serve. */
    readonly localPath?: LocalPath,
  ) {
    super(`${operation ? `${operation}: ` : ''}${argument} ${problem}`, { operation });
  }
}

/** An upload larger than the server's limit (FILEUPLOADLIMIT or DocumentMaxSize), refused before anything was sent. */
export class UploadTooLargeError extends SrvError {
  constructor(
    readonly path: string,
    /** The file's size in bytes. */
    readonly size: number,
    /** The limit it passes, in bytes. */
    readonly limit: number,
    /** The setting that set the limit. */
    readonly setting: 'FILEUPLOADLIMIT' | 'DocumentMaxSize',
  ) {
    super(`upload: ${path} is ${size} bytes, larger than the server's ${setting} of ${limit} bytes; nothing was sent`, { operation: 'upload' });
  }
}

/** The service answered success="false" (or without success): a failure it reported in-band. */
export class ServiceError extends SrvError {
  /** The numeric code of a "[NNN] ..." message, when it has one. */
  readonly code: number | undefined;
  /** The service's message, with any secret of the call removed. */
  readonly serverMessage: string;
  /** A handler the failing reply named anyway (a grant that says it failed may still have staged one), which the client deletes. */
  readonly handler: string | undefined;

  constructor(serverMessage: string, options: { operation?: string; code?: number; handler?: string | undefined } = {}) {
    super(`${options.operation ?? 'call'} failed: ${serverMessage || '(no error message)'}`, options);
    this.code = options.code;
    this.serverMessage = serverMessage;
    this.handler = options.handler;
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
/** The user may not do this: "[2730] Insufficient rights…", "Access denied". */
export class AccessDeniedError extends ServiceError {}
/** Another user holds the document's checkout (lock), or the caller does not: "Document is checked out by …", "The document is not locked by you." */
export class CheckedOutError extends ServiceError {}
/** "SystemError: ...": an unhandled exception on the server. */
export class ServerError extends ServiceError {}

/**
 * A SOAP Fault (1.1 faultcode/faultstring or 1.2 Code/Reason), usually with HTTP 500. A server
 * fault (`soap:Server`, 1.2 `soap:Receiver`, or any code that does not blame the request) is an
 * unhandled exception after which the request may have been applied; a sender fault
 * (`soap:Client`/`soap:Sender`, `VersionMismatch`, `MustUnderstand`) says the request itself was refused.
 */
export class SoapFaultError extends SrvError {
  /** Whose fault it is, from the fault code. */
  readonly side: 'sender' | 'server';

  constructor(
    readonly faultCode: string,
    readonly faultString: string,
    readonly httpStatus: number,
    operation?: string,
  ) {
    super(`${operation ?? 'call'}: SOAP fault ${faultCode}: ${firstLine(faultString)}`, { operation });
    this.side = SENDER_FAULT.test(faultCode.replace(/^.*:/, '')) ? 'sender' : 'server';
  }
}

const SENDER_FAULT = /^(Client|Sender|VersionMismatch|MustUnderstand|DataEncodingUnknown)\b/i;

/** The first line of a fault string: ASMX appends the server's stack trace after it. */
function firstLine(text: string): string {
  const line = text.trim().split(/\r?\n/, 1)[0] ?? '';
  return line.length < text.trim().length ? `${line} (…)` : line;
}

export interface TransportErrorOptions {
  operation?: string | undefined;
  cause?: unknown;
  mayHaveReachedServer: boolean;
  httpStatus?: number | undefined;
  /** The system error code of a failed connection, e.g. ECONNRESET. */
  code?: string | undefined;
}

/** The exchange itself failed: no usable reply. */
export class TransportError extends SrvError {
  /** False only when the request certainly did not take effect (refused connection, DNS, HTTP 413). */
  readonly mayHaveReachedServer: boolean;
  readonly httpStatus: number | undefined;
  /** The system error code of a failed connection (ECONNREFUSED, ECONNRESET, EPIPE, …). */
  readonly code: string | undefined;
  /** The size of the request's body, noted by the client that sent it: what a refusal for size was about. */
  requestBytes: number | undefined;

  constructor(message: string, options: TransportErrorOptions) {
    super(message, options);
    this.mayHaveReachedServer = options.mayHaveReachedServer;
    this.httpStatus = options.httpStatus;
    this.code = options.code;
  }
}

/** The TLS handshake failed: a certificate was refused (expired, wrong host, unknown CA) or none was given. */
export class CertificateError extends TransportError {}

/** The endpoint's host name does not resolve: check the URL. */
export class HostNotFoundError extends TransportError {}

/** No complete reply within the call's timeout. */
export class TimeoutError extends TransportError {}

/** A reply came, but it is not a result of the operation: non-XML, malformed or of another shape. */
export class UnexpectedResponseError extends TransportError {}

/** The URL does not lead to the service: HTTP 404, or a web page instead of a SOAP reply. */
export class EndpointError extends UnexpectedResponseError {}

/** HTTP 401 or 403: the web server in front of the service wants HTTP authentication (`schemes`, from WWW-Authenticate). */
export class HttpAuthenticationError extends UnexpectedResponseError {
  constructor(
    message: string,
    readonly schemes: readonly string[],
    options: TransportErrorOptions,
  ) {
    super(message, options);
  }
}

/** The server refused the request for its size (HTTP 413, IIS 404.13); it was not acted on. */
export class RequestTooLargeError extends UnexpectedResponseError {}

/** The reply passed the size this operation's replies can have; it was refused unparsed. */
export class ReplyTooLargeError extends UnexpectedResponseError {}

/**
 * A reply of the operation whose content cannot be what the operation returns. Asking again would
 * only repeat it, so it is never retried; `handler` is a handler the reply named anyway, which the
 * client deletes.
 */
export class MalformedReplyError extends UnexpectedResponseError {
  constructor(
    message: string,
    readonly handler: string | undefined,
    options: TransportErrorOptions,
  ) {
    super(message, options);
  }
}

export function malformedReply(operation: string, problem: string, handler?: string): MalformedReplyError {
  return new MalformedReplyError(`${operation}: the reply's ${problem}`, handler, { operation, mayHaveReachedServer: true });
}

/** A local file could not be read or written (`code`: ENOSPC, EROFS, EACCES, …); `path` is the user's path. */
export class LocalFileError extends SrvError {
  constructor(
    message: string,
    readonly path: string,
    readonly code: string | undefined,
    options: { operation?: string; cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

/** The source file changed while it was being uploaded; nothing was finalized from it. */
export class SourceChangedError extends SrvError {
  constructor(readonly path: string, change: string) {
    super(`upload: ${path} changed while it was being read (${change}); nothing was stored from it`, { operation: 'upload' });
  }
}

/**
 * Whether the service did what was asked cannot be known: a finalize whose reply was lost while it
 * may still be running, or whose result nothing can tell apart from what was stored before. The
 * upload may or may not be stored; look at the document before doing it again.
 */
export class UnknownOutcomeError extends SrvError {}

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
  2730: AccessDeniedError,
};

/** Maps the service's in-band error message to its class; `handler`: one the reply named anyway. */
export function serviceErrorFor(serverMessage: string, operation?: string, handler?: string): ServiceError {
  const message = serverMessage.trim();
  const coded = /^\[(\d+)\]\s*(.*)$/s.exec(message);
  if (coded) {
    const code = Number(coded[1]);
    const ErrorClass = SERVICE_ERROR_BY_CODE[code] ?? ServiceError;
    return new ErrorClass(message, { operation, code, handler });
  }
  return new (uncodedErrorClass(message))(message, { operation, handler });
}

/** The handler a failed call's reply named anyway, if any: it may hold a staged file, and is deleted. */
export function handlerNamedBy(error: unknown): string | undefined {
  return error instanceof MalformedReplyError || error instanceof ServiceError ? error.handler : undefined;
}

function uncodedErrorClass(message: string): typeof ServiceError {
  if (/^systemerror:/i.test(message)) return ServerError;
  if (/handler/i.test(message) && /not found|expired/i.test(message)) return HandlerNotFoundError;
  if (/invalid (upload|download) handler|^bad request$/i.test(message)) return InvalidHandlerError;
  // "Version not found", "Specified version cannot be found." (C55).
  if (/not found|cannot be found/i.test(message)) return NotFoundError;
  if (/checked out|not locked/i.test(message)) return CheckedOutError;
  if (/access denied|insufficient rights/i.test(message)) return AccessDeniedError;
  return ServiceError;
}

/** Bytes did not match their CRC-32 after every allowed retry and restart. */
export class ChecksumMismatchError extends SrvError {
  constructor(
    message: string,
    /** The CRC-32 the bytes should have had (8 lower-case hex digits); undefined where nothing stated one. */
    readonly expected: string | undefined,
    /** The CRC-32 they had, or that the server reported for them; undefined where the server reported none (a refused chunk, a missing document). */
    readonly actual: string | undefined,
    options: { operation?: string } = {},
  ) {
    super(message, options);
  }
}

/** What an error says, for a message that quotes it; anything thrown that is no Error, as text. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
