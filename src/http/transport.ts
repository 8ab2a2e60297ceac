// HTTP POST over keep-alive connections, with a timeout and cancellation per request. It knows
// nothing of SOAP: it moves bytes and says, when it fails, whether the request may have reached
// the server.
import http from 'node:http';
import https from 'node:https';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { getProxyForUrl } from 'proxy-from-env';
import type { IncomingHttpHeaders } from 'node:http';
import { AbortError, CertificateError, HostNotFoundError, ReplyTooLargeError, TimeoutError, TransportError } from '../errors.js';
import { ReplyBuffers, ReplyBytes } from './reply-bytes.js';

export interface TlsOptions {
  /** Extra trusted CA certificates (PEM), e.g. a private CA. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** A client certificate and its key (PEM). */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** false accepts any server certificate. Only ever as an explicit opt-in. */
  rejectUnauthorized?: boolean;
}

export interface TransportOptions {
  /** Reuse connections across requests (default true). */
  keepAlive?: boolean;
  /** Most connections kept per host (default 16). */
  maxSockets?: number;
  /** No reply body may be larger than this, whatever the operation (default 128 MiB). */
  maxResponseBytes?: number;
  tls?: TlsOptions;
  /** A proxy URL for every request, or false for none. By default HTTP_PROXY, HTTPS_PROXY and NO_PROXY decide. */
  proxy?: string | false;
}

export interface HttpRequest {
  url: URL;
  headers: Readonly<Record<string, string>>;
  body: string | Buffer | StreamedBody;
  /** The whole exchange, from connecting to the last byte of the reply, must fit in this. */
  timeoutMs: number;
  /**
   * Nothing may be silent for longer: connecting, the body draining into the connection, the wait
   * for the reply's first byte, and the gaps between its pieces (default: timeoutMs).
   */
  idleTimeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
  /** A longer reply is refused unread; at most the transport's maxResponseBytes. */
  maxResponseBytes?: number | undefined;
  /** Names the exchange in error messages, e.g. the operation. */
  label?: string | undefined;
}

/** A body written piece by piece as the connection takes it, so that no copy of the whole is ever made. */
export interface StreamedBody {
  readonly byteLength: number;
  /** The pieces in order; a string piece is written as latin1, one byte per character. */
  pieces(): Iterator<Buffer | string>;
}

export interface HttpReply {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Errors of the connect phase: the request cannot have been sent. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);
/** Node's codes for certificate checks and TLS alerts (CERT_HAS_EXPIRED, UNABLE_TO_VERIFY_LEAF_SIGNATURE, ERR_TLS_CERT_ALTNAME_INVALID, ERR_SSL_…). */
const TLS_FAILURE = /CERT|VERIFY|SIGNATURE|^ERR_TLS_|^ERR_SSL_/;
const DEFAULT_MAX_RESPONSE_BYTES = 128 * 1024 * 1024;

export class HttpTransport {
  /** One keep-alive agent per target protocol and proxy. */
  private readonly agents = new Map<string, http.Agent>();
  private readonly agentOptions: http.AgentOptions;
  private readonly tls: TlsOptions;
  private readonly proxy: string | false | undefined;
  private readonly maxResponseBytes: number;
  private readonly replyBuffers = new ReplyBuffers();

  constructor(options: TransportOptions = {}) {
    this.agentOptions = { keepAlive: options.keepAlive ?? true, maxSockets: options.maxSockets ?? 16 };
    this.tls = options.tls ?? {};
    this.proxy = options.proxy;
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  }

  send(request: HttpRequest): Promise<HttpReply> {
    const limit = Math.min(request.maxResponseBytes ?? Infinity, this.maxResponseBytes);
    return new Promise((resolve, reject) => new Exchange(this.open, limit, this.replyBuffers, request, resolve, reject).start());
  }

  /** Says that nothing refers to this reply's body any more: its memory may serve the next reply. */
  recycle(reply: HttpReply): void {
    this.replyBuffers.recycle(reply.body);
  }

  /** Closes idle connections; requests under way finish. */
  close(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
    this.replyBuffers.drop();
  }

  private readonly open = (url: URL, headers: Record<string, string | number>): http.ClientRequest => {
    const options = { method: 'POST', headers, agent: this.agentFor(url) };
    // A proxy agent takes the target's TLS settings from the request, not from itself.
    return url.protocol === 'https:' ? https.request(url, { ...options, ...this.tls }) : http.request(url, options);
  };

  private agentFor(url: URL): http.Agent {
    const proxy = this.proxy === undefined ? getProxyForUrl(url.href) : this.proxy || '';
    const key = `${url.protocol} ${proxy}`;
    let agent = this.agents.get(key);
    if (!agent) {
      agent = newAgent(url.protocol === 'https:', proxy, this.agentOptions, this.tls);
      this.agents.set(key, agent);
    }
    return agent;
  }
}

/** A direct agent, or one that goes through an HTTP proxy (absolute URLs for http:, CONNECT for https:). */
function newAgent(secure: boolean, proxy: string, options: http.AgentOptions, tls: TlsOptions): http.Agent {
  if (proxy === '') return secure ? new https.Agent({ ...options, ...tls }) : new http.Agent(options);
  return secure ? new HttpsProxyAgent(proxy, options) : new HttpProxyAgent(proxy, options);
}

type Open = (url: URL, headers: Record<string, string | number>) => http.ClientRequest;

/** One request's life: connect, send, collect the reply, or fail exactly once. */
class Exchange {
  private request: http.ClientRequest | undefined;
  private timer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private settled = false;
  /** Becomes true once the connection is up: from then on the server may act on what it got. */
  private mayHaveReachedServer = false;

  constructor(
    private readonly open: Open,
    private readonly responseLimit: number,
    private readonly replyBuffers: ReplyBuffers,
    private readonly spec: HttpRequest,
    private readonly resolve: (reply: HttpReply) => void,
    private readonly reject: (error: Error) => void,
  ) {}

  start(): void {
    const { signal, url, body, headers, timeoutMs } = this.spec;
    if (signal?.aborted) return this.fail(new AbortError(signal.reason, this.spec.label));
    signal?.addEventListener('abort', this.onAbort, { once: true });
    this.timer = setTimeout(this.onTimeout, timeoutMs);
    this.touch();
    const streamed = isStreamed(body);
    const request = this.open(url, { ...headers, 'Content-Length': streamed ? body.byteLength : Buffer.byteLength(body) });
    this.request = request;
    request.on('socket', (socket) => {
      if (!socket.connecting) this.mayHaveReachedServer = true;
      else {
        socket.once('connect', () => {
          this.mayHaveReachedServer = true;
          this.touch();
        });
      }
    });
    request.on('finish', this.touch);
    request.on('error', (error: NodeJS.ErrnoException) => this.fail(this.transportError(error)));
    request.on('response', (response) => this.collect(response));
    if (streamed) this.pump(request, body.pieces());
    else request.end(body);
  }

  /** Writes pieces while the connection takes them, and goes on at 'drain'. */
  private pump(request: http.ClientRequest, pieces: Iterator<Buffer | string>): void {
    for (let piece = pieces.next(); !piece.done; piece = pieces.next()) {
      if (this.settled) return;
      if (!request.write(piece.value, 'latin1')) {
        request.once('drain', () => {
          this.touch();
          this.pump(request, pieces);
        });
        return;
      }
    }
    request.end();
  }

  private collect(response: http.IncomingMessage): void {
    const declared = declaredLength(response);
    if (declared !== undefined && declared > this.responseLimit) return this.fail(this.tooLarge(response, `declares ${declared} bytes`));
    const reply = new ReplyBytes(declared, this.replyBuffers);
    this.touch();
    response.on('data', (chunk: Buffer) => {
      if (reply.size + chunk.length > this.responseLimit) return this.fail(this.tooLarge(response, 'goes on'));
      this.touch();
      reply.add(chunk);
    });
    response.on('error', (error) => this.fail(this.transportError(error)));
    response.on('aborted', () => this.fail(new TransportError(`${this.prefix}the connection closed before the reply was complete`, { operation: this.spec.label, mayHaveReachedServer: true })));
    response.on('end', () => {
      if (this.settled || !response.complete) return;
      this.finish();
      // A reply that came before the whole body was sent leaves a connection no one can reuse.
      if (!this.request?.writableEnded) this.request?.destroy();
      this.resolve({
        status: response.statusCode ?? 0,
        statusText: response.statusMessage ?? '',
        headers: response.headers,
        body: reply.bytes(),
      });
    });
  }

  private tooLarge(response: http.IncomingMessage, how: string): ReplyTooLargeError {
    return new ReplyTooLargeError(`${this.prefix}the HTTP ${response.statusCode ?? 0} reply ${how}, past the ${this.responseLimit} bytes a reply of this call can have; it was refused unparsed`, {
      operation: this.spec.label,
      mayHaveReachedServer: true,
      httpStatus: response.statusCode,
    });
  }

  private get prefix(): string {
    return this.spec.label === undefined ? '' : `${this.spec.label}: `;
  }

  /** Something happened on the exchange: the silence allowed starts again. */
  private readonly touch = (): void => {
    const { idleTimeoutMs } = this.spec;
    if (idleTimeoutMs === undefined || this.settled) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(this.onIdle, idleTimeoutMs);
  };

  private readonly onIdle = (): void => {
    const waited = this.request?.writableFinished ? 'for the reply' : this.mayHaveReachedServer ? 'while sending the request' : 'to connect';
    const message = `${this.prefix}nothing came for ${this.spec.idleTimeoutMs} ms ${waited} (the idle limit)`;
    this.fail(new TimeoutError(message, { operation: this.spec.label, mayHaveReachedServer: this.mayHaveReachedServer }));
  };

  private readonly onAbort = (): void => {
    this.fail(new AbortError(this.spec.signal?.reason, this.spec.label));
  };

  private readonly onTimeout = (): void => {
    this.fail(new TimeoutError(`${this.prefix}no complete reply within ${Math.round(this.spec.timeoutMs)} ms`, { operation: this.spec.label, mayHaveReachedServer: this.mayHaveReachedServer }));
  };

  private transportError(error: NodeJS.ErrnoException): TransportError {
    const { code } = error;
    const what = code ? `${code} ${error.message}` : error.message;
    const host = this.spec.url.host;
    const { prefix } = this;
    const operation = this.spec.label;
    // The handshake failed: no request was sent, and trying again cannot change the certificates.
    if (TLS_FAILURE.test(code ?? '')) return new CertificateError(`${prefix}TLS with ${host} failed: ${what}`, { operation, mayHaveReachedServer: false, cause: error, code });
    if (code === 'ENOTFOUND') return new HostNotFoundError(`${prefix}the host ${this.spec.url.hostname} is unknown (${what}); check the URL`, { operation, mayHaveReachedServer: false, cause: error, code });
    const notSent = !this.mayHaveReachedServer || NOT_SENT_CODES.has(code ?? '');
    return new TransportError(`${prefix}connection to ${host} failed: ${what}`, { operation, mayHaveReachedServer: !notSent, cause: error, code });
  }

  private fail(error: Error): void {
    if (this.settled) return;
    this.finish();
    this.request?.destroy();
    this.reject(error);
  }

  private finish(): void {
    this.settled = true;
    clearTimeout(this.timer);
    clearTimeout(this.idleTimer);
    this.spec.signal?.removeEventListener('abort', this.onAbort);
  }
}

/** Content-Length, when the server sent one; the HTTP parser holds the body to it. */
function declaredLength(response: http.IncomingMessage): number | undefined {
  const header = response.headers['content-length'];
  return header === undefined || !/^\d+$/.test(header) ? undefined : Number(header);
}

function isStreamed(body: HttpRequest['body']): body is StreamedBody {
  return typeof body === 'object' && !Buffer.isBuffer(body);
}
