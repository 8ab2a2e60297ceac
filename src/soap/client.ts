// The typed client: one method per WSDL operation, driven by the generated descriptors, with
// node-soap building the envelopes and parsing the replies, and our transport carrying them.
// Chunks take a shorter way: a request with a payload is written by its generated serializer as
// bytes, and a reply's base64 result text is cut out and decoded before node-soap parses the rest.
import soap from 'soap';
import {
  OPERATIONS,
  OPERATION_NAMES,
  PAYLOAD_REQUESTS,
  SERVICE,
  type OperationDescriptor,
  type OperationName,
  type PayloadOperationName,
  type PayloadRequest,
  type RequestOf,
  type ResultOf,
  type SrvOperations,
} from '../../generated/srv.js';
import { WSDL_PATH } from '../package-files.js';
import { InvalidArgumentError, SrvError } from '../errors.js';
import { redact, redactHeaders, redactPayloadRequest, secretsOf, type ExchangeListener, type ExchangeRecord } from './exchange.js';
import { payloadBody } from './payload-body.js';
import { cutPayload } from './payload-cut.js';
import { declaresDtd, failureOf, refusedDtd, resultOf, type SoapVersion } from './reply.js';
import { HttpTransport, type HttpReply, type TransportOptions } from './transport.js';
import { encodeArguments, type ArgumentValue } from './values.js';

export type { SoapVersion } from './reply.js';

export interface SrvClientOptions extends TransportOptions {
  /** The service endpoint, e.g. https://host/srv.asmx. */
  url: string | URL;
  /** SOAP 1.1 (default) or 1.2. */
  soapVersion?: SoapVersion;
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
  /**
   * Memory to decode the result's bytes (DownloadFileChunk's `content`) into, when they fit. The
   * content is then a view of it, valid until the caller reuses that memory.
   */
  contentBuffer?: Buffer;
}

export interface SrvClient extends SrvOperations<CallOptions> {
  readonly url: string;
  readonly soapVersion: SoapVersion;
  /** The default time limit of one call. */
  readonly timeoutMs: number;
  /** Calls an operation by name. */
  call<K extends OperationName>(operation: K, request: RequestOf<K>, options?: CallOptions): Promise<ResultOf<K>>;
  /** Closes idle keep-alive connections. */
  close(): void;
}

export const DEFAULT_TIMEOUT_MS = 120_000;
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;

/** What one call shares with the HTTP bridge: its operation, limits and payload request in, the exchange out. */
interface CallContext {
  op: OperationDescriptor;
  signal: AbortSignal | undefined;
  timeoutMs: number;
  idleTimeoutMs: number;
  /** Sent in place of node-soap's envelope. */
  payloadRequest: PayloadRequest | undefined;
  contentBuffer: Buffer | undefined;
  /** A longer reply is refused before any parser sees it. */
  maxResponseBytes: number;
  sent?: { headers: Readonly<Record<string, string>>; body: string | PayloadRequest };
  reply?: HttpReply;
  /** The result element's base64 text, cut out of the reply and decoded. */
  payload?: Buffer;
}

type NodeSoapMethod = (
  args: Record<string, ArgumentValue>,
  callback: (error: unknown, result: unknown) => void,
  options: CallContext,
) => void;

/**
 * node-soap's arguments for a call whose payload request is sent instead: node-soap still runs the
 * call, so that its reply is handled exactly like every other, but its envelope is never sent.
 */
const PAYLOAD_STAND_IN = { _xml: '<!-- replaced by the payload request -->' };

/** node-soap keeps the last envelope and reply text on its client: tens of MB, for chunks, held for nothing. */
const RETAINED_COPIES = ['lastRequest', 'lastMessage', 'lastResponse'];

export async function createSrvClient(options: SrvClientOptions): Promise<SrvClient> {
  const url = endpointOf(options.url);
  const soapVersion = options.soapVersion ?? '1.1';
  if (soapVersion !== '1.1' && soapVersion !== '1.2') throw new InvalidArgumentError('soapVersion', "must be '1.1' or '1.2'");
  const defaultTimeoutMs = positive(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 'timeoutMs');
  const defaultIdleTimeoutMs = positive(options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS, 'idleTimeoutMs');
  const transport = new HttpTransport(options);
  const port = await openPort(url, soapVersion, transport);

  async function call<K extends OperationName>(name: K, request: RequestOf<K>, callOptions: CallOptions = {}): Promise<ResultOf<K>> {
    const op = OPERATIONS[name];
    const args = encodeArguments(op, request);
    const payloadRequest = isPayloadOperation(name) ? PAYLOAD_REQUESTS[name](soapVersion, request as RequestOf<PayloadOperationName>) : undefined;
    const timeoutMs = positive(callOptions.timeoutMs ?? defaultTimeoutMs, 'timeoutMs');
    const idleTimeoutMs = Math.min(timeoutMs, positive(callOptions.idleTimeoutMs ?? defaultIdleTimeoutMs, 'idleTimeoutMs'));
    const context: CallContext = {
      op,
      signal: callOptions.signal,
      timeoutMs,
      idleTimeoutMs,
      payloadRequest,
      contentBuffer: callOptions.contentBuffer,
      maxResponseBytes: replyLimit(op, args),
    };
    const listeners = [options.onExchange, callOptions.onExchange].filter((l): l is ExchangeListener => l !== undefined);
    const started = performance.now();
    const secrets = secretsOf(args);
    let failure: SrvError | undefined;
    try {
      let parsed: unknown;
      try {
        parsed = await invoke(port, name, payloadRequest ? PAYLOAD_STAND_IN : args, context);
      } catch (error) {
        throw failureOf(op, error, context.reply, soapVersion, secrets);
      }
      return resultOf(op, parsed, context.reply as HttpReply, secrets, context.payload) as ResultOf<K>;
    } catch (error) {
      failure = error as SrvError;
      throw error;
    } finally {
      if (listeners.length > 0) {
        const record = exchangeRecord(name, soapVersion, url, context, performance.now() - started, secrets);
        if (failure) record.error = `${failure.name}: ${failure.message}`;
        for (const listener of listeners) listener(record);
      }
      // Results, errors and records hold copies: nothing refers to the reply's bytes from here on.
      if (context.reply) transport.recycle(context.reply);
    }
  }

  const methods = Object.fromEntries(OPERATION_NAMES.map((name) => [name, (request: never, o?: CallOptions) => call(name, request, o)]));
  return {
    ...(methods as unknown as SrvOperations<CallOptions>),
    url: url.href,
    soapVersion,
    timeoutMs: defaultTimeoutMs,
    call,
    close: () => transport.close(),
  };
}

async function openPort(url: URL, soapVersion: SoapVersion, transport: HttpTransport): Promise<Record<string, NodeSoapMethod>> {
  // disableCache: node-soap otherwise shares one parsed WSDL, and its options, between clients.
  const client = await soap.createClientAsync(WSDL_PATH, {
    disableCache: true,
    endpoint: url.href,
    forceSoap12Headers: soapVersion === '1.2',
    httpClient: httpBridge(transport),
  });
  for (const name of RETAINED_COPIES) Object.defineProperty(client, name, { get: () => undefined, set: () => undefined });
  const service = (client as unknown as Record<string, Record<string, Record<string, NodeSoapMethod>>>)[SERVICE.name];
  const port = service?.[SERVICE.ports[soapVersion]];
  if (!port) throw new Error(`wsdl/srv.wsdl has no port ${SERVICE.ports[soapVersion]}`);
  return port;
}

/** Every reply is a few attributes, but for a chunk's base64 text. */
const SMALL_REPLY_BYTES = 1_048_576;
/** The largest chunk the service grants, for a chunk request that names no size. */
const LARGEST_CHUNK = 33_554_432;

/**
 * How long the reply of this call can be: a chunk's base64 (4/3 of ChunkSize, line breaks allowed)
 * and an envelope margin, else a small cap, so that a hostile reply never reaches a parser.
 */
function replyLimit(op: OperationDescriptor, args: Record<string, ArgumentValue>): number {
  if (op.result.text !== 'base64Binary') return SMALL_REPLY_BYTES;
  const requested = args['ChunkSize'];
  const chunkSize = typeof requested === 'number' && requested > 0 ? requested : LARGEST_CHUNK;
  return Math.ceil((Math.ceil(chunkSize / 3) * 4 * 78) / 76) + SMALL_REPLY_BYTES;
}

function isPayloadOperation(name: OperationName): name is PayloadOperationName {
  return Object.hasOwn(PAYLOAD_REQUESTS, name);
}

function invoke(port: Record<string, NodeSoapMethod>, name: OperationName, args: Record<string, ArgumentValue>, context: CallContext): Promise<unknown> {
  const method = port[name] as NodeSoapMethod;
  return new Promise((resolve, reject) => method(args, (error, result) => (error ? reject(error) : resolve(result)), context));
}

/** node-soap's HTTP client interface, served by our transport; the call context rides in its options. */
function httpBridge(transport: HttpTransport): soap.IHttpClient {
  const bridge = {
    request(url: string, body: string, callback: (error: unknown, response?: unknown, body?: string) => void, headers: Record<string, string>, context: CallContext) {
      const { payloadRequest } = context;
      context.sent = payloadRequest ? { headers: payloadRequest.headers, body: payloadRequest } : { headers, body };
      transport
        .send({
          url: new URL(url),
          headers: context.sent.headers,
          body: payloadRequest ? payloadBody(payloadRequest) : body,
          timeoutMs: context.timeoutMs,
          idleTimeoutMs: context.idleTimeoutMs,
          signal: context.signal,
          maxResponseBytes: context.maxResponseBytes,
          label: context.op.name,
        })
        .then((reply) => {
          context.reply = reply;
          if (declaresDtd(reply.body)) return callback(refusedDtd(context.op, reply));
          callback(null, { status: reply.status, headers: reply.headers }, replyText(reply, context));
        }, callback);
    },
  };
  // node-soap only uses the callback; the axios promise its type declares as the return is never read.
  return bridge as unknown as soap.IHttpClient;
}

/** The reply as node-soap gets it: without a base64 result text, which is cut out and kept in the context. */
function replyText(reply: HttpReply, context: CallContext): string {
  const cut = context.op.result.text === 'base64Binary' ? cutPayload(reply.body, context.op.resultElement, context.contentBuffer) : undefined;
  if (!cut) return reply.body.toString('utf8');
  context.payload = cut.payload;
  return cut.rest;
}

function exchangeRecord(operation: string, soapVersion: SoapVersion, url: URL, context: CallContext, durationMs: number, secrets: string[]): ExchangeRecord {
  const record: ExchangeRecord = {
    operation,
    soapVersion,
    url: url.href,
    durationMs: Math.round(durationMs),
    request: { headers: context.sent?.headers ?? {}, body: requestText(context.sent?.body ?? '', secrets) },
  };
  if (context.reply) {
    record.response = { status: context.reply.status, headers: redactHeaders(context.reply.headers), body: redact(context.reply.body.toString('utf8'), secrets) };
  }
  return record;
}

function requestText(body: string | PayloadRequest, secrets: readonly string[]): string {
  return typeof body === 'string' ? redact(body, secrets) : redactPayloadRequest(body, secrets);
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
