// The package's public API. The CLI uses nothing else (and the emulator's entry point).
export { createSrvClient } from './soap/client.js';
export type { CallOptions, OutgoingRequest, RequestHook, SrvClient, SoapVersion } from './soap/client.js';
export { checkClientOptions, CLIENT_OPTIONS, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_TIMEOUT_MS } from './soap/client-options.js';
export type { CheckedClientOptions, SrvClientOptions } from './soap/client-options.js';
export type { ExchangeListener, ExchangeRecord } from './soap/exchange-record.js';
export { BINDINGS } from './soap/bindings/binding.js';
export { HTTP_AUTH_OPTIONS } from './http/auth-options.js';
export type { HttpAuthOptions, HttpAuthType } from './http/auth-options.js';
export { TLS_OPTIONS, TRANSPORT_OPTIONS } from './http/transport-options.js';
export type { TlsOptions, TransportOptions } from './http/transport-options.js';
export {
  AbortError,
  AccessDeniedError,
  AuthenticationError,
  CertificateError,
  CheckedOutError,
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
  UnknownOutcomeError,
  UploadTooLargeError,
} from './errors.js';
export type { LocalPath, LocalPathProblem, TransportErrorOptions } from './errors.js';
export type * from '../generated/srv.js';
export { OPERATIONS, OPERATION_NAMES } from '../generated/srv.js';
export { SrvSession } from './session/session.js';
export type { ServerTraits, SessionCallOptions, SessionRequest, SessionWarning } from './session/session.js';
export { LOGIN_OPTIONS, SESSION_OPTIONS, TICKET_OPTIONS, TRUSTED_LOGIN_OPTIONS, WINDOWS_LOGIN_OPTIONS } from './session/session-options.js';
export type { LoginOptions, SessionOptions, ShouldRetry, TicketOptions, TrustedLoginOptions, WindowsLoginOptions } from './session/session-options.js';
export type { Action, Decision } from './calls/decisions.js';
export type { LogFields, Logger } from './session/log.js';
export { RETRY_OPTIONS } from './calls/retry-options.js';
export type { RetryOptions } from './calls/retry-options.js';
export { DEFAULT_CHUNK_SIZE, MAX_CHUNK_SIZE, MIN_CHUNK_SIZE, TRANSFER_OPTIONS } from './transfers/transfer-options.js';
export type { TransferOptions, TransferProgress } from './transfers/transfer-options.js';
export type { TransferStats } from './transfers/transfer.js';
export { UPLOAD_OPTIONS } from './transfers/upload/upload-options.js';
export type { UploadOptions } from './transfers/upload/upload-options.js';
export type { UploadResult } from './transfers/upload/upload.js';
export { checkUpload } from './transfers/upload/check-upload.js';
export type { UploadDestination } from './transfers/upload/finalizer.js';
export type { UploadSource } from './transfers/upload/source.js';
export type { DocumentMetadata, ManualVersion, PublishOption } from './transfers/upload/metadata.js';
export type { UploadItem } from './transfers/upload/upload-many.js';
export { UPLOAD_MANY_OPTIONS } from './transfers/upload/upload-many-options.js';
export type { UploadManyOptions } from './transfers/upload/upload-many-options.js';
export type { DownloadDestination, DownloadResult, DownloadSource } from './transfers/download/download.js';
export { DEFAULT_CONCURRENCY, DOWNLOAD_OPTIONS } from './transfers/download/download-options.js';
export { AUTO_MAX as AUTO_MAX_CONCURRENCY, AUTO_START as AUTO_START_CONCURRENCY } from './transfers/download/adaptive.js';
export type { DownloadOptions } from './transfers/download/download-options.js';
export { checkDownload } from './transfers/download/check-download.js';
export type { DocumentInfo, LookupOptions } from './transfers/lookups.js';
export type { DetailedEntry, DocumentDetails, FolderEntry, ListOptions } from './transfers/documents/listing.js';
export type { DownloadInfoResult, InfoOptions, VersionInfo } from './transfers/documents/versions.js';
export type { DeleteOptions, UnlockOptions } from './transfers/documents/changes.js';
export type { UploadLimits } from './transfers/documents/limits.js';
export { nameClashes, serviceNameKey } from './transfers/names.js';
export { fileCrc32 } from './integrity/file-crc.js';
export { checkOptions, optionDefault, optionRange } from './util/options.js';
export type { NumberRange, OptionSpec, OptionTable } from './util/options.js';
export { PACKAGE_VERSION as VERSION } from './package-files.js';
export { CALL_CHANNEL, RETRY_CHANNEL, TRANSFER_CHANNEL } from './tracing/channels.js';
export type { CallTraceContext, RetryTraceEvent, TransferTraceContext, TransferTraceResult } from './tracing/channels.js';
