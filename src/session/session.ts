// A logged-in session, the facade of the library: it owns the ticket (never printed) and fills it
// into every call under the parameter name that call uses, tries each call as the decision table
// says (calls/retry.ts: resends within one deadline, one new login when the ticket dies), and keeps
// what it has learnt about its server. To the transfers it hands a ServicePort.
import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { OPERATIONS, type OperationName, type RequestOf, type ResultOf } from '../../generated/srv.js';
import { createSrvClient, type CallOptions, type SrvClient, type SrvClientOptions } from '../soap/client.js';
import { InvalidArgumentError, messageOf, ServiceError, SrvError, TicketExpiredError } from '../errors.js';
import { IDEMPOTENT, type Decision, type Lesson } from '../calls/decisions.js';
import type { Failure } from '../calls/failures.js';
import { TICKET_PARAMETERS, type RequestFor, type ServerTraits, type ServicePort, type SessionRequest, type SessionWarning, type StepCallOptions, type TicketParameter } from '../calls/port.js';
import { retryOptionsOf, withRetries, type CallOutcome, type RetryHooks, type RetryOptions } from '../calls/retry.js';
import { SESSION_OPTIONS, type LoginOptions, type SessionOptions, type TicketOptions, type TrustedLoginOptions, type WindowsLoginOptions } from './session-options.js';
import { passwordLogin, trustedLogin, windowsLogin, type Authenticator } from './logins.js';
import { warningSink, type WarningSink } from './log.js';
import { abortable } from '../util/abortable.js';
import { checkOption } from '../util/options.js';
import { callPace, type Pace } from '../util/pace.js';
import { upload, type UploadOptions, type UploadResult } from '../transfers/upload/upload.js';
import type { UploadDestination } from '../transfers/upload/finalizer.js';
import type { UploadSource } from '../transfers/upload/source.js';
import type { UploadItem, UploadManyOptions } from '../transfers/upload/upload-many.js';
import type { DownloadDestination, DownloadOptions, DownloadResult, DownloadSource } from '../transfers/download/download.js';
import { documentExists, ensureFolder, folderExists, type DocumentInfo, type LookupOptions } from '../transfers/lookups.js';
import { listDetails, listFolder, type DetailedEntry, type FolderEntry, type ListOptions } from '../transfers/documents/listing.js';
import { documentVersions, downloadInfo, type DownloadInfoResult, type InfoOptions, type VersionInfo } from '../transfers/documents/versions.js';
import { deleteDocument, lockDocument, unlockDocument, type DeleteOptions, type UnlockOptions } from '../transfers/documents/changes.js';
import { uploadLimits, type UploadLimits } from '../transfers/documents/limits.js';
import { callContext, noteResult, publishRetry, traceCall, type CallTraceContext } from '../tracing/channels.js';

export type { LoginOptions, SessionOptions, ShouldRetry, TicketOptions, TrustedLoginOptions, WindowsLoginOptions } from './session-options.js';

/** The options of SrvSession.call. */
export type SessionCallOptions = CallOptions;

export type { ServerTraits, SessionRequest, SessionWarning } from '../calls/port.js';

/** close() waits this long for LogOut, all its attempts included. */
const LOGOUT_TIMEOUT_MS = 10_000;

export class SrvSession {
  readonly client: SrvClient;
  readonly learned: ServerTraits = { folders: new Set() };
  readonly user: string | undefined;
  readonly retry: Required<RetryOptions>;
  readonly #warnings: WarningSink;
  readonly #consents: (error: SrvError, attempt: number, decision: Decision) => boolean;
  readonly #login: Authenticator | undefined;
  /** maxCallsPerSecond: every request waits its turn. */
  readonly #pace: Pace | undefined;
  #ticket: string;
  #relogin: Promise<void> | undefined;
  #closed = false;
  #logOutOnClose: boolean;
  /** What the transfers see of this session. */
  readonly #port: ServicePort;

  private constructor(
    client: SrvClient,
    ticket: string,
    login: Authenticator | undefined,
    options: SessionOptions & { logOutOnClose?: boolean },
    warnings: WarningSink,
    pace: Pace | undefined,
  ) {
    this.client = client;
    this.#pace = pace;
    this.#warnings = warnings;
    this.#keepSecret(ticket);
    this.#ticket = ticket;
    this.#login = login;
    this.#logOutOnClose = options.logOutOnClose ?? login !== undefined;
    this.user = login?.user;
    this.retry = retryOptionsOf(options.retry);
    this.#consents = consentsOf(options);
    this.#port = {
      attempt: (operation, request, callOptions) => this.attempt(operation, request, callOptions),
      call: (operation, request, callOptions) => this.stepCall(operation, request, callOptions),
      learned: this.learned,
      retries: this.retry.retries,
      warn: (warning) => this.warn(warning),
      consents: this.#consents,
      recycle: (content) => this.client.recycle(content),
    };
  }

  /** Logs in with a user name and password, which the session keeps to log in again when the ticket dies. */
  static async login(options: LoginOptions): Promise<SrvSession> {
    return SrvSession.open(options, passwordLogin(options));
  }

  /**
   * Logs in as any user with the server's trusted-user secret (CreateTicketforUser), kept as a
   * password is: to log in again, and never printed.
   */
  static async loginTrusted(options: TrustedLoginOptions): Promise<SrvSession> {
    return SrvSession.open(options, trustedLogin(options));
  }

  /** Logs in as the Windows account the HTTP layer authenticates (`auth: { type: 'ntlm' | 'negotiate', … }`). */
  static async loginWindows(options: WindowsLoginOptions): Promise<SrvSession> {
    return SrvSession.open(options, windowsLogin(options));
  }

  private static async open(options: SessionOptions & { signal?: AbortSignal | undefined }, login: Authenticator): Promise<SrvSession> {
    const retry = retryOptionsOf(options.retry);
    const pace = paceOf(options);
    const warnings = warningSink(options);
    if (login.secret !== undefined) warnings.secrets.add(login.secret);
    const client = await createSrvClient(clientOptionsOf(options, warnings));
    if (login.secret !== undefined) client.addSecret(login.secret);
    try {
      const { operation } = login;
      const plan = { step: 'call', idempotent: true, options: retry, timeoutMs: client.timeoutMs, signal: options.signal, canRelogin: false, server: {}, consents: consentsOf(options) } as const;
      const callId = randomUUID();
      let attempts = 0;
      const hooks: RetryHooks = {
        relogin: async () => undefined,
        learn: () => undefined,
        resending: (failure, _decision, number, attempt) => warnings.warn(retryWarning(operation, failure, number, retry.retries, attempt)),
      };
      const outcome = await traceCall(
        () => callContext(operation, client.binding, client.url, {}),
        (traced) =>
          withRetries((timeoutMs) => authenticate(client, login, { signal: options.signal, timeoutMs, callId, attempt: (attempts += 1) }, traced, pace), plan, hooks),
        failedOutcome,
      );
      if (!outcome.ok) throw outcome.failure.error;
      return new SrvSession(client, outcome.value, login, options, warnings, pace);
    } catch (error) {
      client.close();
      throw error;
    }
  }

  /** Uses an existing ticket; when it dies, calls fail with TicketExpiredError. */
  static async fromTicket(options: TicketOptions): Promise<SrvSession> {
    if (typeof options.ticket !== 'string' || options.ticket.trim() === '') throw new InvalidArgumentError('ticket', 'must be a non-empty string');
    const pace = paceOf(options);
    const warnings = warningSink(options);
    return new SrvSession(await createSrvClient(clientOptionsOf(options, warnings)), options.ticket.trim(), undefined, options, warnings, pace);
  }

  /**
   * Uploads a file path, Buffer or stream to a document path (a new document or a new version), or
   * to `{ folder, name }` for a document that must be new.
   */
  upload(source: UploadSource, destination: UploadDestination, options?: UploadOptions): Promise<UploadResult> {
    return upload(this.#port, source, destination, options);
  }

  /**
   * Downloads a document (a path, `~D{id}`, or `{ path, versionNumber }`) to a file path or a Writable.
   * A file is written beside the destination and moved into place only once every CRC-32 matched.
   * (The download's modules are loaded by the first download: a process that only uploads never loads them.)
   */
  async download(source: DownloadSource, destination: DownloadDestination, options?: DownloadOptions): Promise<DownloadResult> {
    const { download } = await import('../transfers/download/download.js');
    return download(this.#port, source, destination, options);
  }

  /** DocumentExists: the CRC-32 of the latest and of the published version, or undefined when there is no such document. */
  exists(path: string, options?: LookupOptions): Promise<DocumentInfo | undefined> {
    return documentExists(this.#port, path, options);
  }

  /** Whether a folder exists. */
  folderExists(path: string, options?: LookupOptions): Promise<boolean> {
    return folderExists(this.#port, path, options);
  }

  /** Creates a folder and any missing parents, unless it exists already. */
  ensureFolder(path: string, options?: LookupOptions): Promise<void> {
    return ensureFolder(this.#port, path, options);
  }

  /**
   * The folder's children (folders and documents), read 20 at a time (GetFoldersAndDocumentsByPage)
   * as the loop asks for more: `for await (const entry of session.list('/Public'))`.
   */
  list(folder: string, options?: ListOptions): AsyncGenerator<FolderEntry, void, undefined> {
    return listFolder(this.#port, folder, options);
  }

  /** The folder's children with each document's size, version count, date and lock holder, in one reply (GetFoldersAndDocuments1). */
  listDetails(folder: string, options?: LookupOptions): Promise<DetailedEntry[]> {
    return listDetails(this.#port, folder, options);
  }

  /** A document's versions, oldest first; each one's `number` is what `download`, `info` and `delete` take. */
  versions(path: string, options?: LookupOptions): Promise<VersionInfo[]> {
    return documentVersions(this.#port, path, options);
  }

  /** Size, CRC-32, type and date of the latest version, or of `{ version }`, without staging anything. */
  info(path: string, options?: InfoOptions): Promise<DownloadInfoResult> {
    return downloadInfo(this.#port, path, options);
  }

  /** Moves a document to the recycle bin; with `{ version }`, deletes that version for good. */
  delete(path: string, options?: DeleteOptions): Promise<void> {
    return deleteDocument(this.#port, path, options);
  }

  /** The server's upload limits, asked for once per session; an upload larger than `maxUploadSize` is refused before it starts. */
  limits(options?: LookupOptions): Promise<UploadLimits> {
    return uploadLimits(this.#port, options);
  }

  /** Locks (checks out) a document: other users cannot store versions of it until it is unlocked. */
  lock(path: string, options?: LookupOptions): Promise<void> {
    return lockDocument(this.#port, path, options);
  }

  /** Releases the session user's lock; `{ force: true }` also another user's (an administrator's right). */
  unlock(path: string, options?: UnlockOptions): Promise<void> {
    return unlockDocument(this.#port, path, options);
  }

  /** Uploads several files, `concurrency` at a time; one outcome per item, in order. */
  async uploadMany(items: readonly UploadItem[], options?: UploadManyOptions): Promise<Array<PromiseSettledResult<UploadResult>>> {
    const { uploadMany } = await import('../transfers/upload/upload-many.js');
    return uploadMany(this.#port, items, options);
  }

  /** The current ticket. It changes when the session logs in again. */
  get ticket(): string {
    return this.#ticket;
  }

  /**
   * Calls an operation with the session's ticket. A failure the decision table lets be repeated
   * (an idempotent operation whose request was not sent or whose reply was lost) is retried, all
   * attempts within the call's one time limit (timeoutMs). A dead ticket ([900]/[901]) leads to one
   * new login and one repeat of the call, whatever the operation: a handler of the old session is
   * tried once more, and a server that bound it to that session refuses it as gone.
   */
  call<K extends OperationName>(operation: K, request: SessionRequest<K>, options: SessionCallOptions = {}): Promise<ResultOf<K>> {
    return this.stepCall(operation, request, options);
  }

  /**
   * Logs in again unless another call already did since `failedTicket` was rejected.
   * Without stored credentials it throws TicketExpiredError. `signal` stops the wait, not a login
   * that other calls may be waiting for too.
   */
  async relogin(failedTicket: string, cause?: unknown, signal?: AbortSignal): Promise<void> {
    if (this.#ticket !== failedTicket) return;
    const login = this.#login;
    if (!login) {
      const message = cause instanceof ServiceError ? cause.serverMessage : 'the ticket is no longer valid';
      throw new TicketExpiredError(`${message}; the session has no credentials to log in again`, { operation: cause instanceof SrvError ? cause.operation : undefined });
    }
    const { client } = this;
    this.#relogin ??= traceCall(() => callContext(login.operation, client.binding, client.url, {}), (traced) => authenticate(client, login, {}, traced, this.#pace))
      .then((ticket) => {
        this.#keepSecret(ticket);
        this.#ticket = ticket;
        publishRetry(() => ({ kind: 'relogin', reason: 'ticket-dead', message: messageOf(cause), operation: cause instanceof SrvError ? cause.operation : undefined }));
        this.warn({ kind: 'relogin', message: 'the ticket died; logged in again', error: cause });
      })
      .finally(() => (this.#relogin = undefined));
    await abortable(this.#relogin, signal);
  }

  /** Reports a problem that did not fail the work. */
  warn(warning: SessionWarning): void {
    this.#warnings.warn(warning);
  }

  /** A ticket is kept out of every later error, exchange record and log record. */
  #keepSecret(secret: string): void {
    this.client.addSecret(secret);
    this.#warnings.secrets.add(secret);
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
      // A cleanup step: a reset on a reused connection is tried again, as a handler's delete is.
      const outcome = await this.#attempt('LogOut', {}, { step: 'cleanup', timeoutMs: LOGOUT_TIMEOUT_MS });
      if (!outcome.ok && outcome.failure.kind !== 'ticket-dead') this.warn({ kind: 'cleanup', message: 'LogOut failed', operation: 'LogOut', error: outcome.failure.error });
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

  private async stepCall<K extends OperationName, T>(operation: K, request: RequestFor<K>, options: StepCallOptions<K, T> = {}): Promise<T> {
    const outcome = await this.attempt(operation, request, options);
    if (!outcome.ok) throw outcome.failure.error;
    return outcome.value;
  }

  private attempt<K extends OperationName, T>(operation: K, request: RequestFor<K>, options: StepCallOptions<K, T> = {}): Promise<CallOutcome<T>> {
    if (this.#closed) return Promise.reject(new SrvError('the session is closed', { operation }));
    return this.#attempt(operation, request, options);
  }

  /** One call, tried as the decision table says; the ticket is the session's at each attempt. */
  async #attempt<K extends OperationName, T>(operation: K, request: RequestFor<K>, options: StepCallOptions<K, T> = {}): Promise<CallOutcome<T>> {
    const { step = 'call', facts, earlier, accept, budget, ...callOptions } = options;
    const hasTicket = ticketParameterOf(operation) !== undefined;
    let ticket = this.#ticket;
    let traced: CallTraceContext | undefined;
    // Every attempt's exchange record names the call and counts the attempt.
    const callId = callOptions.callId ?? randomUUID();
    let attempts = 0;
    const once = async (timeoutMs: number): Promise<T> => {
      await this.#pace?.take(1, callOptions.signal, operation);
      ticket = this.#ticket;
      attempts += 1;
      const base = typeof request === 'function' ? request() : request;
      if (traced) traced.attempts += 1;
      const result = await this.client.call(operation, withTicket(operation, base, ticket), { ...callOptions, timeoutMs, callId, attempt: attempts });
      if (traced) noteResult(traced, result);
      return accept ? accept(result) : (result as unknown as T);
    };
    const plan = {
      step,
      idempotent: IDEMPOTENT.has(operation),
      options: this.retry,
      timeoutMs: callOptions.timeoutMs ?? this.client.timeoutMs,
      signal: callOptions.signal,
      // Logging in again to log out would make a session only to end it: a dead ticket is logged out already.
      canRelogin: hasTicket && operation !== 'LogOut',
      server: this.learned,
      facts,
      earlier,
      consents: this.#consents,
    };
    const hooks: RetryHooks = {
      relogin: (failure) => this.relogin(ticket, failure.error, callOptions.signal),
      learn: (lesson) => this.learn(lesson),
      resending: (failure, decision, number, attempt) => {
        budget?.retried();
        if (!decision.quiet) this.warn(retryWarning(operation, failure, number, this.retry.retries, attempt));
      },
    };
    const { client } = this;
    const context = () => callContext(operation, client.binding, client.url, typeof request === 'function' ? request() : request);
    return traceCall(context, (call) => {
      traced = call;
      return withRetries(once, plan, hooks);
    }, failedOutcome);
  }

  private learn(lesson: Lesson): void {
    if (lesson.padsCrc) this.learned.padsCrc = true;
    if (lesson.serialChunkReads) this.learned.serialChunkReads = true;
  }
}

/** `traced`: the traced call this login is an attempt of; `pace`: the session's calls a second, whose turn it waits for. */
async function authenticate(client: SrvClient, login: Authenticator, options: CallOptions = {}, traced?: CallTraceContext, pace?: Pace): Promise<string> {
  await pace?.take(1, options.signal, login.operation);
  if (traced) traced.attempts += 1;
  return login.authenticate(client, options);
}

/** A failed call's error, for its trace. */
function failedOutcome(outcome: CallOutcome<unknown>): SrvError | undefined {
  return outcome.ok ? undefined : outcome.failure.error;
}

/** The warning that a failed call is about to be repeated. */
function retryWarning(operation: OperationName, failure: Failure, number: number, of: number, attempt: number): SessionWarning {
  return { kind: 'retry', message: `retrying ${operation}`, operation, error: failure.error, retry: { number, of }, attempt };
}

/** Whether the caller lets a retry or restart the table decided be made: yes, unless shouldRetry returns false. */
function consentsOf(options: SessionOptions): (error: SrvError, attempt: number, decision: Decision) => boolean {
  const { shouldRetry } = options;
  return shouldRetry === undefined ? () => true : (error, attempt, decision) => shouldRetry(error, attempt, decision) !== false;
}

/** maxCallsPerSecond, checked, as the session's pace of calls. */
function paceOf(options: SessionOptions): Pace | undefined {
  const { maxCallsPerSecond } = options;
  checkOption('maxCallsPerSecond', SESSION_OPTIONS.maxCallsPerSecond, maxCallsPerSecond);
  return callPace(maxCallsPerSecond);
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
function clientOptionsOf(options: SessionOptions, warnings: WarningSink): SrvClientOptions {
  return { ...options, onNotice: options.onNotice ?? ((message) => warnings.warn({ kind: 'notice', message, severity: 'warning' })) };
}
