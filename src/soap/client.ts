// The typed client: one method per WSDL operation, driven by the generated descriptors, with
// node-soap building the envelopes and our transport carrying them.
import soap from 'soap';
import { OPERATIONS, OPERATION_NAMES, SERVICE, type OperationName, type RequestOf, type ResultOf, type SrvOperations } from '../../generated/srv.js';
import { WSDL_PATH } from '../package-files.js';
import { InvalidArgumentError, SrvError } from '../errors.js';
import { redact, secretsOf, type ExchangeListener, type ExchangeRecord } from './exchange.js';
import { failureOf, resultOf, type SoapVersion } from './reply.js';
import { HttpTransport, type HttpReply, type TransportOptions } from './transport.js';
import { encodeArguments, type WireValue } from './values.js';

export type { SoapVersion } from './reply.js';

export interface SrvClientOptions extends TransportOptions {
  /** The service endpoint, e.g. https://host/srv.asmx. */
  url: string | URL;
  /** SOAP 1.1 (default) or 1.2. */
  soapVersion?: SoapVersion;
  /** Default time limit of one call, from sending to the complete reply (default 120 s). */
  timeoutMs?: number;
  /** Receives a redacted record of every exchange. */
  onExchange?: ExchangeListener;
}

export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Receives the redacted record of this call's exchange. */
  onExchange?: ExchangeListener;
}

export interface SrvClient extends SrvOperations<CallOptions> {
  readonly url: string;
  readonly soapVersion: SoapVersion;
  /** Calls an operation by name. */
  call<K extends OperationName>(operation: K, request: RequestOf<K>, options?: CallOptions): Promise<ResultOf<K>>;
  /** Closes idle keep-alive connections. */
  close(): void;
}

export const DEFAULT_TIMEOUT_MS = 120_000;

/** What one call shares with the HTTP bridge: its limits in, the exchange out. */
interface CallContext {
  signal: AbortSignal | undefined;
  timeoutMs: number;
  sent?: { headers: Record<string, string>; body: string };
  reply?: HttpReply;
}

type NodeSoapMethod = (
  args: Record<string, WireValue>,
  callback: (error: unknown, result: unknown) => void,
  options: CallContext,
) => void;

export async function createSrvClient(options: SrvClientOptions): Promise<SrvClient> {
  const url = endpointOf(options.url);
  const soapVersion = options.soapVersion ?? '1.1';
  if (soapVersion !== '1.1' && soapVersion !== '1.2') throw new InvalidArgumentError('soapVersion', "must be '1.1' or '1.2'");
  const defaultTimeoutMs = positive(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 'timeoutMs');
  const transport = new HttpTransport(options);
  const port = await openPort(url, soapVersion, transport);

  async function call<K extends OperationName>(name: K, request: RequestOf<K>, callOptions: CallOptions = {}): Promise<ResultOf<K>> {
    const op = OPERATIONS[name];
    const args = encodeArguments(op, request);
    const context: CallContext = { signal: callOptions.signal, timeoutMs: positive(callOptions.timeoutMs ?? defaultTimeoutMs, 'timeoutMs') };
    const listeners = [options.onExchange, callOptions.onExchange].filter((l): l is ExchangeListener => l !== undefined);
    const started = performance.now();
    const secrets = secretsOf(args);
    let failure: SrvError | undefined;
    try {
      let parsed: unknown;
      try {
        parsed = await invoke(port, name, args, context);
      } catch (error) {
        throw failureOf(op, error, context.reply, soapVersion);
      }
      return resultOf(op, parsed, context.reply as HttpReply, secrets) as ResultOf<K>;
    } catch (error) {
      failure = error as SrvError;
      throw error;
    } finally {
      if (listeners.length > 0) {
        const record = exchangeRecord(name, soapVersion, url, context, performance.now() - started, secrets);
        if (failure) record.error = `${failure.name}: ${failure.message}`;
        for (const listener of listeners) listener(record);
      }
    }
  }

  const methods = Object.fromEntries(OPERATION_NAMES.map((name) => [name, (request: never, o?: CallOptions) => call(name, request, o)]));
  return {
    ...(methods as unknown as SrvOperations<CallOptions>),
    url: url.href,
    soapVersion,
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
  const service = (client as unknown as Record<string, Record<string, Record<string, NodeSoapMethod>>>)[SERVICE.name];
  const port = service?.[SERVICE.ports[soapVersion]];
  if (!port) throw new Error(`wsdl/srv.wsdl has no port ${SERVICE.ports[soapVersion]}`);
  return port;
}

function invoke(port: Record<string, NodeSoapMethod>, name: OperationName, args: Record<string, WireValue>, context: CallContext): Promise<unknown> {
  const method = port[name] as NodeSoapMethod;
  return new Promise((resolve, reject) => method(args, (error, result) => (error ? reject(error) : resolve(result)), context));
}

/** node-soap's HTTP client interface, served by our transport; the call context rides in its options. */
function httpBridge(transport: HttpTransport): soap.IHttpClient {
  const bridge = {
    request(url: string, body: string, callback: (error: unknown, response?: unknown, body?: string) => void, headers: Record<string, string>, context: CallContext) {
      context.sent = { headers, body };
      transport
        .send({ url: new URL(url), headers, body, timeoutMs: context.timeoutMs, signal: context.signal })
        .then((reply) => {
          context.reply = reply;
          callback(null, { status: reply.status, headers: reply.headers }, reply.body.toString('utf8'));
        }, callback);
    },
  };
  // node-soap only uses the callback; the axios promise its type declares as the return is never read.
  return bridge as unknown as soap.IHttpClient;
}

function exchangeRecord(operation: string, soapVersion: SoapVersion, url: URL, context: CallContext, durationMs: number, secrets: string[]): ExchangeRecord {
  const record: ExchangeRecord = {
    operation,
    soapVersion,
    url: url.href,
    durationMs: Math.round(durationMs),
    request: { headers: context.sent?.headers ?? {}, body: redact(context.sent?.body ?? '', secrets) },
  };
  if (context.reply) {
    record.response = { status: context.reply.status, headers: context.reply.headers, body: redact(context.reply.body.toString('utf8'), secrets) };
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
