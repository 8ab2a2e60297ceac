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
import { InvalidArgumentError, SrvError, TransportError } from '../errors.js';
import { redact, redactHeaders, redactValues, secretsOf } from './redaction.js';
import type { ExchangeListener, ExchangeRecord } from './exchange-record.js';
import { refusedUnparsed } from './reply.js';
import { replyParser } from './reply-parser.js';
import { ReplyBuffers } from '../http/reply-bytes.js';
import { HttpTransport, type HttpReply, type TransportOptions } from '../http/transport.js';
import { basicAuthorization, checkAuthFor } from '../http/auth.js';
import { encodeArguments } from './arguments.js';
import type { Take } from './payload-cut.js';
import { bindingOf, type Binding, type BindingRequest } from './bindings/binding.js';
import { SoapBinding } from './bindings/soap.js';
import type { ChunkEncoding } from './bindings/http-post.js';

export type { SoapVersion } from '../../generated/srv.js';

export interface SrvClientOptions extends TransportOptions {
  /** The service endpoint, e.g. https://host/srv.asmx. */
  url: string | URL;
  /**
   * The WSDL binding the calls go by: 'soap11' (default), 'soap12', 'http-post' (forms; a chunk as a
   * raw multipart part), or 'http-get' (a query string, for the calls the WSDL declares on GET; the
   * others go by POST, with a notice once). See docs/protocol.md#the-http-bindings.
   */
  binding?: BindingName;
  /** The SOAP version, for a SOAP binding: '1.1' is binding 'soap11' (default), '1.2' is 'soap12'. */
  soapVersion?: SoapVersion;
  /** How UploadFileChunk's chunk travels over 'http-post': 'multipart' (default, raw bytes) or 'base64-field' (a urlencoded form). */
  chunkEncoding?: ChunkEncoding;
  /**
   * Over 'http-get': send the calls the WSDL declares on GET by GET even when they carry the ticket,
   * which then shows in URLs that proxies and server logs keep (default false: those go by POST).
   */
  ticketInUrl?: boolean;
  /** Receives what the user should know about how calls go, e.g. that one goes by POST instead of GET (default: nothing). */
  onNotice?: (message: string) => void;
  /** Default time limit of one call, from sending to the complete reply (default 120 s). */
  timeoutMs?: number;
  /**
   * Default longest silence within a call (default 30 s): connecting, sending, waiting for the
   * reply's first byte, or between its pieces. A stalled server fails here, long before timeoutMs.
   */
  idleTimeoutMs?: number;
  /** Receives a redacted record of every exchange. */
  onExchange?: ExchangeListener;
}

export interface CallOptions {
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
  idleTimeoutMs?: number | undefined;
  /** Receives the redacted record of this call's exchange. */
  onExchange?: ExchangeListener;
}

export interface SrvClient extends SrvOperations<CallOptions> {
  readonly url: string;
  readonly soapVersion: SoapVersion;
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

export const DEFAULT_TIMEOUT_MS = 120_000;
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;

export async function createSrvClient(options: SrvClientOptions): Promise<SrvClient> {
  const url = endpointOf(options.url);
  const name = bindingOf(options.binding, options.soapVersion);
  const soapVersion: SoapVersion = name === 'soap12' ? '1.2' : '1.1';
  const defaultTimeoutMs = positive(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 'timeoutMs');
  const defaultIdleTimeoutMs = positive(options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS, 'idleTimeoutMs');
  checkAuthFor(options.auth, url);
  const transport = new HttpTransport(options);
  const contents = new ReplyBuffers();
  const binding = await bindingFor(name, url, options, (length) => contents.take(length));
  const known = new Set<string>();
  // The web server's credentials are removed from every record and error, however a server echoes them.
  if (options.auth?.password) known.add(options.auth.password);
  if (options.auth?.type === 'basic') known.add(basicAuthorization(options.auth).slice('Basic '.length));

  async function call<K extends OperationName>(operation: K, request: RequestOf<K>, callOptions: CallOptions = {}): Promise<ResultOf<K>> {
    const op = OPERATIONS[operation];
    const args = encodeArguments(op, request);
    const timeoutMs = positive(callOptions.timeoutMs ?? defaultTimeoutMs, 'timeoutMs');
    const idleTimeoutMs = Math.min(timeoutMs, positive(callOptions.idleTimeoutMs ?? defaultIdleTimeoutMs, 'idleTimeoutMs'));
    const sent = binding.write(op, args);
    const listeners = [options.onExchange, callOptions.onExchange].filter((l): l is ExchangeListener => l !== undefined);
    const started = performance.now();
    const secrets = [...new Set([...secretsOf(args), ...known])];
    let reply: HttpReply | undefined;
    let failure: SrvError | undefined;
    try {
      const { method, url: target, headers, body, maxReplyBytes, cut } = sent;
      reply = await transport.send({ method, url: target, headers, body, timeoutMs, idleTimeoutMs, signal: callOptions.signal, maxResponseBytes: maxReplyBytes, label: operation, sink: cut });
      const refused = refusedUnparsed(op, reply);
      if (refused) throw refused;
      return binding.read(op, sent, reply, secrets) as ResultOf<K>;
    } catch (error) {
      failure = error instanceof SrvError ? error : new TransportError(`${operation}: ${String(error)}`, { operation, mayHaveReachedServer: true, cause: error });
      throw failure;
    } finally {
      if (listeners.length > 0) {
        const record = exchangeRecord(op, soapVersion, transport.headers, binding, sent, reply, performance.now() - started, secrets);
        if (failure) record.error = `${failure.name}: ${failure.message}`;
        for (const listener of listeners) listener(record);
      }
      // Results, errors and records hold copies: nothing refers to the reply's bytes from here on.
      if (reply) transport.recycle(reply);
    }
  }

  const methods = Object.fromEntries(OPERATION_NAMES.map((name) => [name, (request: never, o?: CallOptions) => call(name, request, o)]));
  return {
    ...(methods as unknown as SrvOperations<CallOptions>),
    url: url.href,
    soapVersion,
    timeoutMs: defaultTimeoutMs,
    addSecret: (secret) => void (secret !== '' && known.add(secret)),
    recycle: (content) => contents.recycle(content),
    call,
    close: () => transport.close(),
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

/** `fixed`: the headers the transport adds to every request (User-Agent, custom ones); never the Authorization it adds. */
function exchangeRecord(
  op: OperationDescriptor,
  soapVersion: SoapVersion,
  fixed: Readonly<Record<string, string>>,
  binding: Binding,
  sent: BindingRequest,
  reply: HttpReply | undefined,
  durationMs: number,
  secrets: readonly string[],
): ExchangeRecord {
  const record: ExchangeRecord = {
    operation: op.name,
    soapVersion,
    url: redact(sent.url.href, secrets),
    durationMs: Math.round(durationMs),
    request: { headers: redactHeaders({ ...fixed, ...sent.headers }, secrets), body: sent.recorded(secrets) },
  };
  if (reply) {
    const text = binding.recorded(sent, reply);
    // A reply that carries a ticket keeps none of its values: a ticket the client could not read must not be printed either.
    const body = op.result.attributes.some((attribute) => attribute.name === 'ticket') ? redactValues(text) : text;
    record.response = { status: reply.status, headers: redactHeaders(reply.headers, secrets), body: redact(body, secrets) };
  }
  return record;
}

function endpointOf(value: string | URL): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('url', `is not a URL: ${String(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidArgumentError('url', 'must be http: or https:');
  if (url.username || url.password) throw new InvalidArgumentError('url', 'must not carry credentials');
  return url;
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new InvalidArgumentError(name, 'must be a positive number of milliseconds');
  return value;
}
