// The package's public API. The CLI uses nothing else (and the emulator's entry point).
export { createSrvClient, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_TIMEOUT_MS } from './soap/client.js';
export type { CallOptions, SrvClient, SrvClientOptions, SoapVersion } from './soap/client.js';
export type { ExchangeListener, ExchangeRecord } from './soap/exchange-record.js';
export { BINDINGS } from './soap/http-binding.js';
export type { HttpAuthOptions, HttpAuthType, TlsOptions, TransportOptions } from './http/transport.js';
export {
  AbortError,
  AuthenticationError,
  CertificateError,
  ChecksumMismatchError,
  EndpointError,
  HandlerNotFoundError,
  HostNotFoundError,
  HttpAuthenticationError,
  InvalidArgumentError,
  InvalidHandlerError,
  LocalFileError,
  MalformedReplyError,
  NotFoundError,
  ReplyTooLargeError,
  RequestTooLargeError,
  ServerError,
  ServiceError,
  SoapFaultError,
  SourceChangedError,
  SrvError,
  TicketExpiredError,
  TicketNotAllowedError,
  TimeoutError,
  TransportError,
  UnexpectedResponseError,
} from './errors.js';
export type { LocalPath, LocalPathProblem, TransportErrorOptions } from './errors.js';
export type * from '../generated/srv.js';
export { OPERATIONS, OPERATION_NAMES } from '../generated/srv.js';
export { SrvSession } from './session/session.js';
export type { LoginOptions, ServerTraits, SessionCallOptions, SessionOptions, SessionRequest, SessionWarning, TicketOptions } from './session/session.js';
export type { RetryOptions } from './calls/retry.js';
export { DEFAULT_CHUNK_SIZE, MAX_CHUNK_SIZE, MIN_CHUNK_SIZE } from './transfers/transfer.js';
export { DEFAULT_CONCURRENCY } from './transfers/download/plan.js';
export type { TransferOptions, TransferProgress, TransferStats } from './transfers/transfer.js';
export type { UploadOptions, UploadResult } from './transfers/upload/upload.js';
export type { UploadDestination } from './transfers/upload/finalizer.js';
export type { UploadSource } from './transfers/upload/source.js';
export type { DocumentMetadata, ManualVersion, PublishOption } from './transfers/upload/metadata.js';
export type { UploadItem, UploadManyOptions } from './transfers/upload/upload-many.js';
export type { DownloadDestination, DownloadOptions, DownloadResult, DownloadSource } from './transfers/download/download.js';
export type { DocumentInfo, LookupOptions } from './transfers/lookups.js';
export { fileCrc32 } from './integrity/file-crc.js';
export { PACKAGE_VERSION as VERSION } from './package-files.js';
