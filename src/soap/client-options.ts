// The options of createSrvClient (client.ts) and their table, the transport's included, and what
// of them can be checked before anything is sent.
import type { BindingName, OperationName, SoapVersion } from '../../generated/srv.js';
import { InvalidArgumentError } from '../errors.js';
import { checkAuthFor, fixedHeaders } from '../http/auth.js';
import { HTTP_AUTH_OPTIONS, type HttpAuthOptions } from '../http/auth-options.js';
import { TLS_OPTIONS, TRANSPORT_OPTIONS, type TransportOptions } from '../http/transport-options.js';
import { checkOptions, type OptionTable } from '../util/options.js';
import type { ExchangeListener } from './exchange-record.js';
import { BINDINGS } from './bindings/binding.js';
import type { ChunkEncoding } from './bindings/http-post.js';

/** A request about to be sent, as `onRequest` sees it: redacted, like an exchange record. */
export interface OutgoingRequest {
  readonly operation: OperationName;
  readonly method: 'GET' | 'POST';
  /** The request's URL, redacted (a ticket in a query string is not shown). */
  readonly url: string;
  /** The headers it carries so far: the client's and the call's, redacted. */
  readonly headers: Readonly<Record<string, string>>;
  /** Shared by a call's attempts (ExchangeRecord.callId). */
  readonly callId: string;
  /** Which attempt of the call this is, from 1. */
  readonly attempt: number;
}

/** Called before each request is sent (every attempt); the headers it returns are added to that request. */
export type RequestHook = (request: OutgoingRequest) => Readonly<Record<string, string>> | void;

export interface SrvClientOptions extends TransportOptions {
  /** The service endpoint, e.g. https://host/srv.asmx. */
  url: string | URL;
  /**
   * The WSDL binding the calls go by: 'soap11', 'soap12', 'http-post' (forms; a chunk as a raw
   * multipart part), or 'http-get' (a query string, for the calls the WSDL declares on GET; the
   * others go by POST, with a notice once). See docs/protocol.md#the-http-bindings.
   * @default 'soap11', or the SOAP version's
   */
  binding?: BindingName;
  /**
   * The SOAP version, for a SOAP binding: '1.1' is binding 'soap11', '1.2' is 'soap12'.
   * @default '1.1', or the binding's
   */
  soapVersion?: SoapVersion;
  /**
   * How UploadFileChunk's chunk travels over 'http-post': 'multipart' (raw bytes) or 'base64-field' (a urlencoded form).
   * @default 'multipart'
   */
  chunkEncoding?: ChunkEncoding;
  /**
   * Over 'http-get': send the calls the WSDL declares on GET by GET even when they carry the ticket,
   * which then shows in URLs that proxies and server logs keep (otherwise those go by POST).
   * @default false
   */
  ticketInUrl?: boolean;
  /**
   * Receives what the user should know about how calls go, e.g. that one goes by POST instead of GET.
   * @default none
   */
  onNotice?: (message: string) => void;
  /**
   * Default time limit of one call, from sending to the complete reply.
   * @default 120000
   */
  timeoutMs?: number;
  /**
   * Default longest silence within a call: connecting, sending, waiting for the reply's first
   * byte, or between its pieces. A stalled server fails here, long before timeoutMs.
   * @default 30000
   */
  idleTimeoutMs?: number;
  /**
   * Receives a redacted record of every exchange.
   * @default none
   */
  onExchange?: ExchangeListener;
  /**
   * Called before each request is sent, every attempt of a call included, with its operation,
   * method, URL and headers (redacted); the headers it returns are added to that request alone,
   * e.g. a `traceparent`. They are checked as `headers` are (the client's own cannot be set) and
   * redacted in exchange records like the others.
   * @default none
   */
  onRequest?: RequestHook;
}

export const CLIENT_OPTIONS = {
  url: { required: true, summary: 'the service endpoint, e.g. `https://host/srv.asmx`', cli: '--url' },
  binding: { defaultText: "'soap11', or the SOAP version's", choices: BINDINGS, summary: 'the WSDL binding the calls go by', cli: '--binding' },
  soapVersion: { defaultText: "'1.1', or the binding's", choices: ['1.1', '1.2'], summary: "the SOAP version: '1.1' is binding 'soap11', '1.2' is 'soap12'", cli: '--soap' },
  chunkEncoding: { default: 'multipart', choices: ['multipart', 'base64-field'], summary: "how a chunk travels over 'http-post': raw bytes, or base64 in a form" },
  ticketInUrl: { default: false, summary: "over 'http-get', send the calls that carry the ticket by GET too, knowingly: URLs are kept by proxies and logs", cli: '--ticket-in-url' },
  onNotice: { summary: 'receives what the user should know about how calls go (a call that goes by POST instead of GET)' },
  timeoutMs: { default: 120_000, above: 0, unit: 'ms', summary: 'default time limit of one call, from sending to the complete reply', cli: '--timeout' },
  idleTimeoutMs: { default: 30_000, above: 0, unit: 'ms', summary: "default longest silence within a call, before its reply's last byte" },
  onExchange: { summary: 'receives a redacted record of every exchange' },
  onRequest: { summary: 'called before each request is sent (every attempt), with its operation, method, URL and headers; the headers it returns are added to that request (e.g. `traceparent`)' },
  ...TRANSPORT_OPTIONS,
} as const satisfies OptionTable<SrvClientOptions>;

export const DEFAULT_TIMEOUT_MS: number = CLIENT_OPTIONS.timeoutMs.default;
export const DEFAULT_IDLE_TIMEOUT_MS: number = CLIENT_OPTIONS.idleTimeoutMs.default;

/** The options as they can be checked before the web server's password is known. */
export type CheckedClientOptions = Omit<SrvClientOptions, 'auth'> & { auth?: Omit<HttpAuthOptions, 'password'> };

/**
 * Checks what createSrvClient checks before anything is sent: the URL, each option against
 * CLIENT_OPTIONS, the headers, and that Basic authentication goes over https: unless allowed.
 * Gives back the endpoint.
 */
export function checkClientOptions(options: CheckedClientOptions): URL {
  checkOptions<CheckedClientOptions>(CLIENT_OPTIONS, options);
  checkOptions(TLS_OPTIONS, options.tls, 'tls.');
  checkOptions<Omit<HttpAuthOptions, 'password'>>(HTTP_AUTH_OPTIONS, options.auth, 'auth.');
  const url = endpointOf(options.url);
  checkAuthFor(options.auth, url);
  fixedHeaders(options.headers, options.auth);
  return url;
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
