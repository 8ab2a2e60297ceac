// The typed client: one method per WSDL operation, driven by the generated descriptors. The binding,
// picked once (bindings/), writes each request and reads its reply; our transport carries the bytes
// between them. Every reply is first checked for what is refused unparsed, here and only here.
import {
  OPERATIONS,
  OPERATION_NAMES,
  type BindingName,
  type OperationDescriptor,
  type OperationName,
  type RequestOf,
  type ResultOf,
  type SoapVersion,
  type SrvOperations,
} from '../../generated/srv.js';
import { randomUUID } from 'node:crypto';
import { SrvError, TransportError } from '../errors.js';
import { redact, redactHeaders, redactValues, secretsOf } from './redaction.js';
import type { ExchangeListener, ExchangeRecord } from './exchange-record.js';
import { refusedUnparsed } from './reply.js';
import { replyParser } from './reply-parser.js';
import { BufferPool } from '../util/buffer-pool.js';
import { HttpTransport, type HttpReply, type StreamedBody } from '../http/transport.js';
import { basicAuthorization, checkHeaders, withHeaders } from '../http/auth.js';
import { encodeArguments } from './arguments.js';
import type { Take } from './payload-cut.js';
import { bindingOf, type Binding, type BindingRequest } from './bindings/binding.js';
import { SoapBinding } from './bindings/soap.js';
import { checkClientOptions, CLIENT_OPTIONS, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_TIMEOUT_MS, type SrvClientOptions } from './client-options.js';
import { checkNumber } from '../util/options.js';
import { noteStatus, tracingHeaders } from '../tracing/channels.js';

export type { SoapVersion } from '../../generated/srv.js';
export type { OutgoingRequest, RequestHook, SrvClientOptions } from './client-options.js';
export { DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_TIMEOUT_MS } from './client-options.js';

export interface CallOptions {
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
  idleTimeoutMs?: number | undefined;
  /** Receives the redacted record of this call's exchange. */
  onExchange?: ExchangeListener;
  /**
   * Headers added to this call's requests, checked as the client's `headers` are (the client's own
   * cannot be set); one replaces a client header of the same name.
   */
  headers?: Readonly<Record<string, string>> | undefined;
  /** Names the logical call in exchange records and `onRequest`, shared by its attempts (default: a new id; a session gives each call one). */
  callId?: string | undefined;
  /** Which attempt of the call this request is, from 1 (default 1; a session counts its attempts). */
  attempt?: number | undefined;
}

export interface SrvClient extends SrvOperations<CallOptions> {
  readonly url: string;
  readonly soapVersion: SoapVersion;
  /** The binding the client goes by. */
  readonly binding: BindingName;
  /** The default time limit of one call. */
  readonly timeoutMs: number;
  /**
   * Removes `secret` from every later error and exchange record, whichever call it turns up in
   * (a server may echo a password or an old ticket anywhere). A call's own secrets always are.
   */
  addSecret(secret: string): void;
  /**
   * Gives back a result's bytes (DownloadFileChunk's `content`) once nothing refers to them, so
   * that a later reply's bytes are decoded into the same memory: a chunk is tens of MB, and fresh
   * memory that size costs more in page faults than its bytes cost to decode.
   */
  recycle(content: Buffer): void;
  /** Calls an operation by name. */
  call<K extends OperationName>(operation: K, request: RequestOf<K>, options?: CallOptions): Promise<ResultOf<K>>;
  /** Closes idle keep-alive connections. */
  close(): void;
}

export async function createSrvClient(options: SrvClientOptions): Promise<SrvClient> {
  const url = checkClientOptions(options);
  const name = bindingOf(options.binding, options.soapVersion);
  const soapVersion: SoapVersion = name === 'soap12' ? '1.2' : '1.1';
  const defaultTimeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const defaultIdleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const transport = new HttpTransport(options);
  // A chunk's decoded bytes (DownloadFileChunk) and its request's base64 (UploadFileChunk over SOAP).
  const buffers = new BufferPool();
  const binding = await bindingFor(name, url, options, (length) => buffers.take(length));
  const known = new Set<string>();
  // The web server's credentials are removed from every record and error, however a server echoes them.
  if (options.auth?.password) known.add(options.auth.password);
  if (options.auth?.type === 'basic') known.add(basicAuthorization(options.auth).slice('Basic '.length));

  async function call<K extends OperationName>(operation: K, request: RequestOf<K>, callOptions: CallOptions = {}): Promise<ResultOf<K>> {
    const op = OPERATIONS[operation];
    const args = encodeArguments(op, request);
    const timeoutMs = checkNumber('timeoutMs', CLIENT_OPTIONS.timeoutMs, callOptions.timeoutMs ?? defaultTimeoutMs);
    const idleTimeoutMs = Math.min(timeoutMs, checkNumber('idleTimeoutMs', CLIENT_OPTIONS.idleTimeoutMs, callOptions.idleTimeoutMs ?? defaultIdleTimeoutMs));
    const sent = binding.write(op, args);
    const listeners = [options.onExchange, callOptions.onExchange].filter((l): l is ExchangeListener => l !== undefined);
    const started = performance.now();
    const secrets = [...new Set([...secretsOf(args), ...known])];
    const attempt = { callId: callOptions.callId ?? randomUUID(), attempt: callOptions.attempt ?? 1 };
    const headers = requestHeaders(operation, sent, attempt, transport.headers, callOptions.headers, secrets);
    let reply: HttpReply | undefined;
    let failure: SrvError | undefined;
    try {
      const { method, url: target, body, maxReplyBytes, cut } = sent;
      const traced = tracingHeaders();
      reply = await transport.send({ method, url: target, headers: traced ? { ...headers, ...traced } : headers, body, timeoutMs, idleTimeoutMs, signal: callOptions.signal, maxResponseBytes: maxReplyBytes, label: operation, sink: cut });
      noteStatus(reply.status);
      const refused = refusedUnparsed(op, reply);
      if (refused) throw refused;
      return binding.read(op, sent, reply, secrets) as ResultOf<K>;
    } catch (error) {
      failure = error instanceof SrvError ? error : new TransportError(`${operation}: ${String(error)}`, { operation, mayHaveReachedServer: true, cause: error });
      if (failure instanceof TransportError) failure.requestBytes ??= bodyBytes(sent.body);
      if (!reply && failure instanceof TransportError && failure.httpStatus !== undefined) noteStatus(failure.httpStatus);
      throw failure;
    } finally {
      if (listeners.length > 0) {
        const record = exchangeRecord(op, { ...attempt, binding: name, soapVersion }, withHeaders(transport.headers, headers), binding, sent, reply, performance.now() - started, secrets);
        if (failure) record.error = `${failure.name}: ${failure.message}`;
        for (const listener of listeners) listener(record);
      }
      // Results, errors and records hold copies: nothing refers to the reply's bytes from here on,
      // nor, once send() has settled, to the request's.
      if (reply) transport.recycle(reply);
      if (Buffer.isBuffer(sent.body)) buffers.recycle(sent.body);
    }
  }

  /** The request's headers: the binding's, the call's, then what onRequest adds; the last two checked as `headers` are. */
  function requestHeaders(operation: OperationName, sent: BindingRequest, attempt: { callId: string; attempt: number }, fixed: Readonly<Record<string, string>>, own: CallOptions['headers'], secrets: readonly string[]): Record<string, string> {
    const headers = withHeaders(sent.headers, checkHeaders(own, options.auth));
    if (options.onRequest === undefined) return headers;
    const seen = redactHeaders(withHeaders(fixed, headers), secrets);
    const added = options.onRequest({ operation, method: sent.method, url: redact(sent.url.href, secrets), headers: seen, ...attempt });
    return withHeaders(headers, checkHeaders(added ?? undefined, options.auth, 'onRequest'));
  }

  const methods = Object.fromEntries(OPERATION_NAMES.map((name) => [name, (request: never, o?: CallOptions) => call(name, request, o)]));
  return {
    ...(methods as unknown as SrvOperations<CallOptions>),
    url: url.href,
    soapVersion,
    binding: name,
    timeoutMs: defaultTimeoutMs,
    addSecret: (secret) => void (secret !== '' && known.add(secret)),
    recycle: (content) => buffers.recycle(content),
    call,
    close: () => {
      transport.close();
      buffers.drop();
    },
  };
}

/**
 * The client's binding, picked once, its modules loaded only then: SOAP 1.1 or 1.2 with node-soap's
 * WSDL parser, HTTP POST or GET with the bare-element reader (saxes), so that neither client loads
 * the other's parser.
 */
async function bindingFor(name: BindingName, endpoint: URL, options: SrvClientOptions, take: Take): Promise<Binding> {
  if (name === 'soap11' || name === 'soap12') return new SoapBinding(name === 'soap12' ? '1.2' : '1.1', endpoint, take, await replyParser());
  const { chunkEncodingOf, HttpPostBinding, HttpGetBinding } = await httpBindings();
  const chunkEncoding = chunkEncodingOf(options.chunkEncoding);
  if (name === 'http-post') return new HttpPostBinding(endpoint, chunkEncoding, take);
  return new HttpGetBinding(endpoint, chunkEncoding, take, options.onNotice ?? (() => undefined), options.ticketInUrl === true);
}

type HttpBindings = typeof import('./bindings/http-post.js') & typeof import('./bindings/http-get.js');
/** The HTTP bindings' modules, loaded once, by the first client that goes by one. */
let httpModules: Promise<HttpBindings> | undefined;

function httpBindings(): Promise<HttpBindings> {
  httpModules ??= import('./bindings/http-post.js').then(async (post) => ({ ...post, ...(await import('./bindings/http-get.js')) }));
  return httpModules;
}

/** What names an exchange: its call, its attempt, and how it went. */
type ExchangeIdentity = Pick<ExchangeRecord, 'callId' | 'attempt' | 'binding' | 'soapVersion'>;

/** `headers`: the request's, under the transport's fixed ones (User-Agent, custom ones); never the Authorization it adds. */
function exchangeRecord(
  op: OperationDescriptor,
  identity: ExchangeIdentity,
  headers: Readonly<Record<string, string>>,
  binding: Binding,
  sent: BindingRequest,
  reply: HttpReply | undefined,
  durationMs: number,
  secrets: readonly string[],
): ExchangeRecord {
  const record: ExchangeRecord = {
    operation: op.name,
    ...identity,
    method: sent.method,
    url: redact(sent.url.href, secrets),
    durationMs: Math.round(durationMs),
    request: { headers: redactHeaders(headers, secrets), body: sent.recorded(secrets) },
  };
  if (reply) {
    const text = binding.recorded(sent, reply);
    // A reply that carries a ticket keeps none of its values: a ticket the client could not read must not be printed either.
    const body = op.result.attributes.some((attribute) => attribute.name === 'ticket') ? redactValues(text) : text;
    record.response = { status: reply.status, headers: redactHeaders(reply.headers, secrets), body: redact(body, secrets) };
  }
  return record;
}

const bodyBytes = (body: Buffer | StreamedBody): number => (Buffer.isBuffer(body) ? body.length : body.byteLength);
