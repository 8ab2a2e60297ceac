// HTTP POST over keep-alive connections, with a timeout and cancellation per request. It knows
// nothing of SOAP: it moves bytes and says, when it fails, whether the request may have reached
// the server.
import http from 'node:http';
import https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { AbortError, TimeoutError, TransportError, CertificateError } from '../errors.js';
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
  /** A reply body larger than this fails the request (default 128 MiB). */
  maxResponseBytes?: number;
  tls?: TlsOptions;
}

export interface HttpRequest {
  url: URL;
  headers: Readonly<Record<string, string>>;
  body: string | Buffer | StreamedBody;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
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
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly maxResponseBytes: number;
  private readonly replyBuffers = new ReplyBuffers();

  constructor(options: TransportOptions = {}) {
    const agentOptions = { keepAlive: options.keepAlive ?? true, maxSockets: options.maxSockets ?? 16 };
    this.httpAgent = new http.Agent(agentOptions);
    this.httpsAgent = new https.Agent({ ...agentOptions, ...options.tls });
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  }

  send(request: HttpRequest): Promise<HttpReply> {
    return new Promise((resolve, reject) => new Exchange(this.open, this.maxResponseBytes, this.replyBuffers, request, resolve, reject).start());
  }

  /** Says that nothing refers to this reply's body any more: its memory may serve the next reply. */
  recycle(reply: HttpReply): void {
    this.replyBuffers.recycle(reply.body);
  }

  /** Closes idle connections; requests under way finish. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
    this.replyBuffers.drop();
  }

  private readonly open = (url: URL, headers: Record<string, string | number>): http.ClientRequest => {
    const secure = url.protocol === 'https:';
    const options = { method: 'POST', headers, agent: secure ? this.httpsAgent : this.httpAgent };
    return secure ? https.request(url, options) : http.request(url, options);
  };
}

type Open = (url: URL, headers: Record<string, string | number>) => http.ClientRequest;

/** One request's life: connect, send, collect the reply, or fail exactly once. */
class Exchange {
  private request: http.ClientRequest | undefined;
  private timer: NodeJS.Timeout | undefined;
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
    if (signal?.aborted) return this.fail(new AbortError(signal.reason));
    signal?.addEventListener('abort', this.onAbort, { once: true });
    this.timer = setTimeout(this.onTimeout, timeoutMs);
    const streamed = isStreamed(body);
    const request = this.open(url, { ...headers, 'Content-Length': streamed ? body.byteLength : Buffer.byteLength(body) });
    this.request = request;
    request.on('socket', (socket) => {
      if (!socket.connecting) this.mayHaveReachedServer = true;
      else socket.once('connect', () => (this.mayHaveReachedServer = true));
    });
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
        request.once('drain', () => this.pump(request, pieces));
        return;
      }
    }
    request.end();
  }

  private collect(response: http.IncomingMessage): void {
    const reply = new ReplyBytes(declaredLength(response, this.responseLimit), this.replyBuffers);
    response.on('data', (chunk: Buffer) => {
      if (reply.size + chunk.length > this.responseLimit) {
        this.fail(new TransportError(`reply larger than ${this.responseLimit} bytes`, { mayHaveReachedServer: true, httpStatus: response.statusCode }));
        return;
      }
      reply.add(chunk);
    });
    response.on('error', (error) => this.fail(this.transportError(error)));
    response.on('aborted', () => this.fail(new TransportError('the connection closed before the reply was complete', { mayHaveReachedServer: true })));
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

  private readonly onAbort = (): void => {
    this.fail(new AbortError(this.spec.signal?.reason));
  };

  private readonly onTimeout = (): void => {
    this.fail(new TimeoutError(`no complete reply within ${this.spec.timeoutMs} ms`, { mayHaveReachedServer: this.mayHaveReachedServer }));
  };

  private transportError(error: NodeJS.ErrnoException): TransportError {
    const what = error.code ? `${error.code} ${error.message}` : error.message;
    // The handshake failed: no request was sent, and trying again cannot change the certificates.
    if (TLS_FAILURE.test(error.code ?? '')) return new CertificateError(`TLS with ${this.spec.url.host} failed: ${what}`, { mayHaveReachedServer: false, cause: error });
    const notSent = !this.mayHaveReachedServer || NOT_SENT_CODES.has(error.code ?? '');
    return new TransportError(`connection to ${this.spec.url.host} failed: ${what}`, { mayHaveReachedServer: !notSent, cause: error });
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
    this.spec.signal?.removeEventListener('abort', this.onAbort);
  }
}

/** Content-Length, when the server sent one within the limit; the HTTP parser holds the body to it. */
function declaredLength(response: http.IncomingMessage, limit: number): number | undefined {
  const header = response.headers['content-length'];
  if (header === undefined || !/^\d+$/.test(header)) return undefined;
  const length = Number(header);
  return length <= limit ? length : undefined;
}

function isStreamed(body: HttpRequest['body']): body is StreamedBody {
  return typeof body === 'object' && !Buffer.isBuffer(body);
}
