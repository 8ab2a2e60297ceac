// The typed client: one method per WSDL operation, driven by the generated descriptors. Our code
// writes each request (envelope.ts) and our transport carries it; node-soap parses the reply
// against the WSDL, and nothing else. A reply's base64 result text (a chunk) is cut out and
// decoded before node-soap sees the few hundred bytes around it.
import { replyParser, type ReplyParser } from './reply-parser.js';
import {
  OPERATIONS,
  OPERATION_NAMES,
  type OperationDescriptor,
  type OperationName,
  type RequestOf,
  type ResultOf,
  type SrvOperations,
} from '../../generated/srv.js';
import { SrvError } from '../errors.js';
import { envelopeBody, requestEnvelope, type RequestEnvelope } from './envelope.js';
import { payloadText, redactEnvelope, redact, redactHeaders, secretsOf } from './redaction.js';
import type { ExchangeListener, ExchangeRecord } from './exchange-record.js';
import { PayloadCut } from './payload-cut.js';
import { failureOf, notAReply, operationResponse, refusedUnparsed, resultOf, type SoapVersion } from './reply.js';
import { ReplyBuffers, ReplyBytes, type ReplyCollector } from '../http/reply-bytes.js';
import { HttpTransport, type HttpReply } from '../http/transport.js';
import { basicAuthorization } from '../http/auth.js';
import { encodeArguments, type ArgumentValue } from './arguments.js';
import { bindingOf, chunkEncodingOf, HttpRequests, isHttpBinding, type FormRequest } from './http-binding.js';
import { BareReply } from './bare-reply.js';
import { checkClientOptions, CLIENT_OPTIONS, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_TIMEOUT_MS, type SrvClientOptions } from './client-options.js';
import { checkNumber } from '../util/options.js';

export type { SoapVersion } from './reply.js';
export type { SrvClientOptions } from './client-options.js';
export { DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_TIMEOUT_MS } from './client-options.js';

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

/** What one call leaves behind for its exchange record and for the reply's recycling. */
interface CallContext {
  op: OperationDescriptor;
  envelope: RequestEnvelope;
  reply?: HttpReply;
  /** For a result of base64 text: cuts it out of the reply as it arrives, and decodes it. */
  cut?: PayloadCut;
  /** The request over an HTTP binding (else the envelope is sent). */
  form?: FormRequest | undefined;
  /** Over an HTTP binding: the bare reply, collected as the envelope it stands for. */
  bare?: BareReply;
}

/** How the reply is collected: a chunk's base64 cut out as it arrives; over an HTTP binding, inside the operation's envelope. */
function collectorOf(context: CallContext, contents: ReplyBuffers, payloadLimit: number | undefined): ((declared: number | undefined) => ReplyCollector) | undefined {
  const { op } = context;
  const take = (length: number) => contents.take(length);
  const inner = (declared: number | undefined): ReplyCollector =>
    payloadLimit === undefined ? new ReplyBytes(undefined, contents) : (context.cut = new PayloadCut(op.resultElement, take, payloadLimit, declared));
  if (context.form) return (declared) => (context.bare = new BareReply(op, declared, inner));
  return payloadLimit === undefined ? undefined : inner;
}

export async function createSrvClient(options: SrvClientOptions): Promise<SrvClient> {
  const url = checkClientOptions(options);
  const binding = bindingOf(options.binding, options.soapVersion);
  const soapVersion: SoapVersion = binding === 'soap12' ? '1.2' : '1.1';
  const forms = isHttpBinding(binding) ? new HttpRequests(binding, chunkEncodingOf(options.chunkEncoding), options.onNotice ?? (() => undefined)) : undefined;
  const defaultTimeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const defaultIdleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const transport = new HttpTransport(options);
  const parse = await replyParser();
  const known = new Set<string>();
  // The web server's credentials are removed from every record and error, however a server echoes them.
  if (options.auth?.password) known.add(options.auth.password);
  if (options.auth?.type === 'basic') known.add(basicAuthorization(options.auth).slice('Basic '.length));
  const contents = new ReplyBuffers();

  async function call<K extends OperationName>(name: K, request: RequestOf<K>, callOptions: CallOptions = {}): Promise<ResultOf<K>> {
    const op = OPERATIONS[name];
    const args = encodeArguments(op, request);
    const timeoutMs = checkNumber('timeoutMs', CLIENT_OPTIONS.timeoutMs, callOptions.timeoutMs ?? defaultTimeoutMs);
    const idleTimeoutMs = Math.min(timeoutMs, checkNumber('idleTimeoutMs', CLIENT_OPTIONS.idleTimeoutMs, callOptions.idleTimeoutMs ?? defaultIdleTimeoutMs));
    const context: CallContext = { op, envelope: requestEnvelope(op, soapVersion, args), form: forms?.request(op, url, args) };
    const payloadLimit = op.result.text === 'base64Binary' ? chunkSizeOf(args) : undefined;
    const listeners = [options.onExchange, callOptions.onExchange].filter((l): l is ExchangeListener => l !== undefined);
    const started = performance.now();
    const secrets = [...new Set([...secretsOf(args), ...known])];
    let failure: SrvError | undefined;
    try {
      const { form } = context;
      const reply = await transport.send({
        method: form?.method,
        url: form?.url ?? url,
        headers: form?.headers ?? context.envelope.headers,
        body: form?.body ?? envelopeBody(context.envelope),
        timeoutMs,
        idleTimeoutMs,
        signal: callOptions.signal,
        maxResponseBytes: replyLimit(op, args),
        label: name,
        collect: collectorOf(context, contents, payloadLimit),
      });
      context.reply = reply;
      context.bare?.check(op, reply, secrets);
      return resultOf(op, responseOf(parse, context, reply, soapVersion, secrets), reply, secrets, context.cut?.extracted?.payload) as ResultOf<K>;
    } catch (error) {
      failure = failureOf(op, error, context.reply, soapVersion, secrets);
      throw failure;
    } finally {
      if (listeners.length > 0) {
        const record = exchangeRecord(name, soapVersion, url, transport.headers, context, performance.now() - started, secrets);
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
    addSecret: (secret) => void (secret !== '' && known.add(secret)),
    recycle: (content) => contents.recycle(content),
    call,
    close: () => transport.close(),
  };
}

/** The {Op}Response element of the reply's Body, parsed; a reply without one is not this operation's. */
function responseOf(parse: ReplyParser, context: CallContext, reply: HttpReply, version: SoapVersion, secrets: readonly string[]): unknown {
  const { op } = context;
  const refused = refusedUnparsed(op, reply);
  if (refused) throw refused;
  let envelope: unknown;
  try {
    envelope = parse(reply.body.toString('utf8'));
  } catch (error) {
    throw failureOf(op, error, reply, version, secrets);
  }
  const response = operationResponse(op, envelope);
  if (response === undefined) throw notAReply(op, reply, version);
  return response;
}

/** Every reply is a few attributes, but for a chunk's base64 text. */
const SMALL_REPLY_BYTES = 1_048_576;
/** The largest chunk the service grants, for a chunk request that names no size. */
const LARGEST_CHUNK = 33_554_432;

/** The chunk size a chunk request asks for: the most bytes its reply can carry. */
function chunkSizeOf(args: Record<string, ArgumentValue>): number {
  const requested = args['ChunkSize'];
  return typeof requested === 'number' && requested > 0 ? requested : LARGEST_CHUNK;
}

/**
 * How long the reply of this call can be: a chunk's base64 (4/3 of ChunkSize, line breaks allowed)
 * and an envelope margin, else a small cap, so that a hostile reply never reaches a parser.
 */
function replyLimit(op: OperationDescriptor, args: Record<string, ArgumentValue>): number {
  if (op.result.text !== 'base64Binary') return SMALL_REPLY_BYTES;
  return Math.ceil((Math.ceil(chunkSizeOf(args) / 3) * 4 * 78) / 76) + SMALL_REPLY_BYTES;
}

/** The reply's body for its record: a base64 text cut out of it is put back as redact() would leave it. */
function bodyAsSent(context: CallContext, body: Buffer): string {
  const cut = context.cut?.extracted;
  if (!cut) return body.toString('utf8');
  return body.toString('utf8', 0, cut.at) + payloadText(cut.payload) + body.toString('utf8', cut.at);
}

/** `fixed`: the headers the transport adds to every request (User-Agent, custom ones); never the Authorization it adds. */
function exchangeRecord(operation: string, soapVersion: SoapVersion, url: URL, fixed: Readonly<Record<string, string>>, context: CallContext, durationMs: number, secrets: string[]): ExchangeRecord {
  const record: ExchangeRecord = {
    operation,
    soapVersion,
    url: redact((context.form?.url ?? url).href, secrets),
    durationMs: Math.round(durationMs),
    request: {
      headers: redactHeaders({ ...fixed, ...(context.form?.headers ?? context.envelope.headers) }, secrets),
      body: context.form ? redact(context.form.text, secrets) : redactEnvelope(context.envelope, secrets),
    },
  };
  if (context.reply) {
    const body = bodyAsSent(context, context.reply.body);
    record.response = { status: context.reply.status, headers: redactHeaders(context.reply.headers, secrets), body: redact(context.bare?.bare(body) ?? body, secrets) };
  }
  return record;
}
