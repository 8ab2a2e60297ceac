// A logged-in session, the facade of the library: it owns the ticket (never printed) and fills it
// into every call under the parameter name that call uses, logs in again once when the ticket
// dies, retries transient failures of idempotent calls within one deadline, and keeps what it has
// learnt about its server. To the transfers it is their ServicePort.
import { inspect } from 'node:util';
import { OPERATIONS, type OperationName, type RequestOf, type ResultOf } from '../../generated/srv.js';
import { createSrvClient, type CallOptions, type SrvClient, type SrvClientOptions } from '../soap/client.js';
import { ChecksumMismatchError, InvalidArgumentError, ServiceError, SrvError, TicketExpiredError } from '../errors.js';
import { IDEMPOTENT, isDeadTicket, isTransient } from '../calls/failures.js';
import { retryWarning, TICKET_PARAMETERS, type PortCallOptions, type ServerTraits, type ServicePort, type SessionRequest, type SessionWarning, type TicketParameter } from '../calls/port.js';
import { retryOptionsOf, withRetries, type RetryOptions } from '../calls/retry.js';
import type { LoginOptions, SessionOptions, TicketOptions } from './session-options.js';
import { abortable } from '../util/abortable.js';
import { upload, type UploadOptions, type UploadResult } from '../transfers/upload/upload.js';
import type { UploadDestination } from '../transfers/upload/finalizer.js';
import type { UploadSource } from '../transfers/upload/source.js';
import { uploadMany, type UploadItem, type UploadManyOptions } from '../transfers/upload/upload-many.js';
import { download, type DownloadDestination, type DownloadOptions, type DownloadResult, type DownloadSource } from '../transfers/download/download.js';
import { documentExists, ensureFolder, folderExists, type DocumentInfo, type LookupOptions } from '../transfers/lookups.js';

export type { LoginOptions, SessionOptions, TicketOptions } from './session-options.js';

/** The options of SrvSession.call. */
export type SessionCallOptions<K extends OperationName = OperationName> = PortCallOptions<K>;

interface Credentials {
  user: string;
  password: string;
  language: string | undefined;
}

export type { ServerTraits, SessionRequest, SessionWarning } from '../calls/port.js';

export class SrvSession implements ServicePort {
  readonly client: SrvClient;
  readonly learned: ServerTraits = { folders: new Set() };
  readonly user: string | undefined;
  readonly retry: Required<RetryOptions>;
  readonly #onWarning: (warning: SessionWarning) => void;
  readonly #credentials: Credentials | undefined;
  #ticket: string;
  #relogin: Promise<void> | undefined;
  #closed = false;
  #logOutOnClose: boolean;

  private constructor(client: SrvClient, ticket: string, credentials: Credentials | undefined, options: SessionOptions & { logOutOnClose?: boolean }) {
    this.client = client;
    client.addSecret(ticket);
    this.#ticket = ticket;
    this.#credentials = credentials;
    this.#logOutOnClose = options.logOutOnClose ?? credentials !== undefined;
    this.user = credentials?.user;
    this.retry = retryOptionsOf(options.retry);
    this.#onWarning = options.onWarning ?? (() => undefined);
  }

  /** Logs in with a user name and password, which the session keeps to log in again when the ticket dies. */
  static async login(options: LoginOptions): Promise<SrvSession> {
    const credentials = credentialsOf(options);
    const retry = retryOptionsOf(options.retry);
    const client = await createSrvClient(clientOptionsOf(options));
    client.addSecret(credentials.password);
    try {
      const { signal } = options;
      const ticket = await withRetries(() => authenticate(client, credentials, signal), {
        options: retry,
        signal,
        canRetry: isTransient,
        onRetry: (error, number) => options.onWarning?.(retryWarning(credentials.language === undefined ? 'AuthenticateUser' : 'AuthenticateUser1', error, number, retry.retries)),
      });
      return new SrvSession(client, ticket, credentials, options);
    } catch (error) {
      client.close();
      throw error;
    }
  }

  /** Uses an existing ticket; when it dies, calls fail with TicketExpiredError. */
  static async fromTicket(options: TicketOptions): Promise<SrvSession> {
    if (typeof options.ticket !== 'string' || options.ticket.trim() === '') throw new InvalidArgumentError('ticket', 'must be a non-empty string');
    return new SrvSession(await createSrvClient(clientOptionsOf(options)), options.ticket.trim(), undefined, options);
  }

  /**
   * Uploads a file path, Buffer or stream to a document path (a new document or a new version), or
   * to `{ folder, name }` for a document that must be new.
   */
  upload(source: UploadSource, destination: UploadDestination, options?: UploadOptions): Promise<UploadResult> {
    return upload(this, source, destination, options);
  }

  /**
   * Downloads a document (a path, `~D{id}`, or `{ path, versionNumber }`) to a file path or a Writable.
   * A file is written beside the destination and moved into place only once every CRC-32 matched.
   */
  download(source: DownloadSource, destination: DownloadDestination, options?: DownloadOptions): Promise<DownloadResult> {
    return download(this, source, destination, options);
  }

  /** DocumentExists: the CRC-32 of the latest and of the published version, or undefined when there is no such document. */
  exists(path: string, options?: LookupOptions): Promise<DocumentInfo | undefined> {
    return documentExists(this, path, options);
  }

  /** Whether a folder exists. */
  folderExists(path: string, options?: LookupOptions): Promise<boolean> {
    return folderExists(this, path, options);
  }

  /** Creates a folder and any missing parents, unless it exists already. */
  ensureFolder(path: string, options?: LookupOptions): Promise<void> {
    return ensureFolder(this, path, options);
  }

  /** Uploads several files, `concurrency` at a time; one outcome per item, in order. */
  uploadMany(items: readonly UploadItem[], options?: UploadManyOptions): Promise<Array<PromiseSettledResult<UploadResult>>> {
    return uploadMany(this, items, options);
  }

  /** The current ticket. It changes when the session logs in again. */
  get ticket(): string {
    return this.#ticket;
  }

  /**
   * Calls an operation with the session's ticket. Transient failures of idempotent operations are
   * retried, all within the call's one time limit (timeoutMs). A dead ticket ([900]/[901]) leads to
   * one new login and one repeat of the call, whatever the operation: a handler of the old session
   * is tried once more, and a server that bound it to that session refuses it as gone.
   */
  async call<K extends OperationName>(operation: K, request: SessionRequest<K>, options: PortCallOptions<K> = {}): Promise<ResultOf<K>> {
    if (this.#closed) throw new SrvError('the session is closed', { operation });
    const { check } = options;
    const checked = async (callOptions: PortCallOptions<K>) => {
      const result = await this.callWithLogin(operation, request, callOptions);
      check?.(result);
      return result;
    };
    if (!IDEMPOTENT.has(operation)) return checked(options);
    const budget = options.timeoutMs ?? this.client.timeoutMs;
    const deadline = performance.now() + budget;
    let failure: unknown;
    const attempt = async () => {
      const left = deadline - performance.now();
      // A backoff that ran past the deadline ends the call with the failure that led to it.
      if (left <= 0) throw failure;
      try {
        return await checked({ ...options, timeoutMs: left });
      } catch (error) {
        failure = error;
        throw error;
      }
    };
    return withRetries(attempt, {
      options: this.retry,
      signal: options.signal,
      // A retry that would start past the call's deadline is not made.
      canRetry: (error) => (isTransient(error) || (check !== undefined && error instanceof ChecksumMismatchError)) && deadline - performance.now() > this.retry.minDelayMs,
      onRetry: (error, number) => {
        options.onRetry?.(error);
        this.warn(retryWarning(operation, error, number, this.retry.retries));
      },
    });
  }

  /**
   * Logs in again unless another call already did since `failedTicket` was rejected.
   * Without stored credentials it throws TicketExpiredError. `signal` stops the wait, not a login
   * that other calls may be waiting for too.
   */
  async relogin(failedTicket: string, cause?: unknown, signal?: AbortSignal): Promise<void> {
    if (this.#ticket !== failedTicket) return;
    const credentials = this.#credentials;
    if (!credentials) {
      const message = cause instanceof ServiceError ? cause.serverMessage : 'the ticket is no longer valid';
      throw new TicketExpiredError(`${message}; the session has no credentials to log in again`, { operation: cause instanceof SrvError ? cause.operation : undefined });
    }
    this.#relogin ??= authenticate(this.client, credentials)
      .then((ticket) => {
        this.client.addSecret(ticket);
        this.#ticket = ticket;
        this.warn({ kind: 'relogin', message: 'the ticket died; logged in again', error: cause });
      })
      .finally(() => (this.#relogin = undefined));
    await abortable(this.#relogin, signal);
  }

  /** Reports a problem that did not fail the work. */
  warn(warning: SessionWarning): void {
    this.#onWarning(warning);
  }

  recycle(content: Buffer): void {
    this.client.recycle(content);
  }

  /** Leaves the ticket valid when the session closes: it is handed to someone who will use it. */
  keepTicket(): void {
    this.#logOutOnClose = false;
  }

  /**
   * Closes connections, and logs out first (an already expired ticket is not an error) unless the
   * ticket was passed in without logOutOnClose. Never throws.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      if (!this.#logOutOnClose) return;
      await this.client.LogOut({ AuthenticationTicket: this.#ticket }, { timeoutMs: 10_000 });
    } catch (error) {
      if (!isDeadTicket(error)) this.warn({ kind: 'cleanup', message: 'LogOut failed', operation: 'LogOut', error });
    } finally {
      this.client.close();
    }
  }

  /** `await using session = await SrvSession.login(…)` closes it when the scope ends. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  [inspect.custom](): string {
    return `SrvSession { url: '${this.client.url}', user: ${this.user === undefined ? 'undefined' : `'${this.user}'`} }`;
  }

  toJSON(): Record<string, unknown> {
    return { url: this.client.url, user: this.user, soapVersion: this.client.soapVersion };
  }

  private async callWithLogin<K extends OperationName>(operation: K, request: SessionRequest<K>, options: CallOptions): Promise<ResultOf<K>> {
    const ticket = this.#ticket;
    try {
      return await this.client.call(operation, withTicket(operation, request, ticket), options);
    } catch (error) {
      if (!isDeadTicket(error) || !ticketParameterOf(operation)) throw error;
      await this.relogin(ticket, error, options.signal);
      return this.client.call(operation, withTicket(operation, request, this.#ticket), options);
    }
  }
}

async function authenticate(client: SrvClient, credentials: Credentials, signal?: AbortSignal): Promise<string> {
  const { user: UID, password: PWD, language: Lang } = credentials;
  const result = Lang === undefined ? await client.AuthenticateUser({ UID, PWD }, { signal }) : await client.AuthenticateUser1({ UID, PWD, Lang }, { signal });
  return result.ticket;
}

function credentialsOf(options: LoginOptions): Credentials {
  if (typeof options.user !== 'string' || options.user === '') throw new InvalidArgumentError('user', 'must be a non-empty string');
  if (typeof options.password !== 'string') throw new InvalidArgumentError('password', 'must be a string');
  return { user: options.user, password: options.password, language: options.language };
}

function ticketParameterOf(operation: OperationName): TicketParameter | undefined {
  const names = OPERATIONS[operation].parameters.map((p) => p.name);
  return TICKET_PARAMETERS.find((name) => names.includes(name));
}

function withTicket<K extends OperationName>(operation: K, request: SessionRequest<K>, ticket: string): RequestOf<K> {
  const parameter = ticketParameterOf(operation);
  return (parameter ? { ...request, [parameter]: ticket } : request) as RequestOf<K>;
}

/** The client's notices (a call that goes by POST instead of GET) are the session's warnings. */
function clientOptionsOf(options: SessionOptions): SrvClientOptions {
  const { onWarning } = options;
  return { ...options, onNotice: options.onNotice ?? ((message) => onWarning?.({ kind: 'notice', message, severity: 'warning' })) };
}
