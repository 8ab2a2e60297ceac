// HTTP requests (POST, and GET for the HTTP GET binding) over keep-alive connections, with a
// timeout and cancellation per request. It knows nothing of SOAP: it moves bytes and says, when it
// fails, whether the request may have reached the server. It adds the headers of every request (User-Agent, custom ones) under a request's own and authenticates
// to the web server: Basic on every request, NTLM and Negotiate once per connection (auth.ts).
import http from 'node:http';
import https from 'node:https';
import { getProxyForUrl } from 'proxy-from-env';
import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { AbortError, CertificateError, HostNotFoundError, HttpAuthenticationError, InvalidArgumentError, MalformedReplyError, ReplyTooLargeError, TimeoutError, TransportError } from '../errors.js';
import { basicAuthorization, checkAuth, credentialsRefused, fixedHeaders, NtlmAuthenticator, withHeaders, type HttpAuthOptions } from './auth.js';
import { codingsOf, decoded, unknownCoding } from './content-encoding.js';
import { Cookies } from './cookies.js';
import { ReplyBytes, type ReplySink } from './reply-bytes.js';
import { BufferPool } from '../util/buffer-pool.js';
import { TRANSPORT_OPTIONS, type TlsOptions, type TransportOptions } from './transport-options.js';
import { withTrustStore } from './trust-store.js';
import { settle } from '../util/options.js';

export type { HttpAuthOptions, HttpAuthType } from './auth.js';
export { DEFAULT_USER_AGENT } from './auth.js';

export type { TlsOptions, TransportOptions } from './transport-options.js';

export interface HttpRequest {
  /** POST (default), or GET for the HTTP GET binding. */
  method?: 'GET' | 'POST' | undefined;
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
  /** Where the reply's bytes go as they arrive (default: one Buffer of the whole reply); its bytes() are the reply's body. */
  sink?: ReplySink | undefined;
}

/** A body written piece by piece as the connection takes it, so that no copy of the whole is ever made. */
export interface StreamedBody {
  readonly byteLength: number;
  /** The pieces in order. */
  pieces(): Iterator<Buffer>;
}

export interface HttpReply {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Node's codes for a certificate no trusted CA signed: a private CA, which `tls.ca` adds. */
const UNTRUSTED_ISSUER = new Set(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT']);

/** Errors of the connect phase: the request cannot have been sent. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);
/** Node's codes for certificate checks and TLS alerts (CERT_HAS_EXPIRED, UNABLE_TO_VERIFY_LEAF_SIGNATURE, ERR_TLS_CERT_ALTNAME_INVALID, ERR_SSL_…). */
const TLS_FAILURE = /CERT|VERIFY|SIGNATURE|^ERR_TLS_|^ERR_SSL_/;

/** Connections that NTLM has authenticated (or that were answered without asking for it). */
const authenticatedSockets = new WeakSet<Socket>();
/** Most NTLM handshakes in one call: the first, and one more when the server asks again. */
const MAX_HANDSHAKES = 2;

export class HttpTransport {
  /** One keep-alive agent per target protocol and proxy. */
  private readonly agents = new Map<string, http.Agent>();
  /** With NTLM or Negotiate: one pool of single-connection agents per target protocol and proxy. */
  private readonly pools = new Map<string, ConnectionPool>();
  private readonly agentOptions: http.AgentOptions;
  private readonly tls: TlsOptions;
  private readonly proxy: string | false | undefined;
  private readonly maxResponseBytes: number;
  private readonly replyBuffers = new BufferPool();
  private readonly cookies = new Cookies();
  /** The User-Agent and custom headers of every request. */
  readonly headers: Readonly<Record<string, string>>;
  private readonly basic: string | undefined;
  private readonly ntlm: NtlmAuthenticator | undefined;
  /** The server asked again on a connection NTLM had authenticated: from then on every request opens with a handshake, so that no body is sent twice. */
  private challengesEveryRequest = false;

  constructor(options: TransportOptions = {}) {
    checkAuth(options.auth);
    const { keepAlive, maxSockets, idleSocketMs, maxResponseBytes } = settle(TRANSPORT_OPTIONS, options);
    this.headers = fixedHeaders(options.headers, options.auth);
    this.agentOptions = { keepAlive, maxSockets, timeout: idleSocketMs };
    this.tls = withTrustStore(options.tls ?? {});
    this.proxy = options.proxy;
    this.maxResponseBytes = maxResponseBytes;
    const type = options.auth?.type;
    if (type === 'basic') this.basic = basicAuthorization(options.auth as HttpAuthOptions);
    if (type === 'ntlm' || type === 'negotiate') {
      if (options.keepAlive === false) throw new InvalidArgumentError('keepAlive', `must stay true with ${type} authentication, which authenticates a connection`);
      this.ntlm = new NtlmAuthenticator(options.auth as HttpAuthOptions);
    }
  }

  /**
   * Sends the request and reads its reply. Once the promise settles, nothing reads the body any
   * more: its connection finished writing it, or was destroyed, so its memory may serve the next request.
   */
  async send(request: HttpRequest): Promise<HttpReply> {
    if (proxyAgents === undefined && this.proxyOf(request.url) !== '') await loadProxyAgents();
    const limit = Math.min(request.maxResponseBytes ?? Infinity, this.maxResponseBytes);
    const headers: Record<string, string> = { ...withHeaders(this.headers, request.headers), ...(this.basic !== undefined && { Authorization: this.basic }) };
    const spec = { ...request, headers };
    if (this.ntlm) return this.sendAuthenticated(this.ntlm, spec, limit);
    const { reply } = await this.exchange(spec, limit, this.agentFor(request.url));
    if (this.basic && reply.status === 401) throw this.refused('Basic', reply, request.label);
    return reply;
  }

  /** Says that nothing refers to this reply's body any more: its memory may serve the next reply. */
  recycle(reply: HttpReply): void {
    this.replyBuffers.recycle(reply.body);
  }

  /** Closes idle connections; requests under way finish. */
  close(): void {
    for (const agent of this.agents.values()) agent.destroy();
    for (const pool of this.pools.values()) pool.destroy();
    this.agents.clear();
    this.pools.clear();
    this.replyBuffers.drop();
  }

  /** One request and its reply, with the cookies the service set sent back, and those its reply sets kept. */
  private async exchange(request: HttpRequest, limit: number, agent: http.Agent, plan?: Plan): Promise<Leg> {
    const open: Open = (url, headers) => this.open(url, headers, agent, request.method ?? 'POST');
    const cookie = this.cookies.header(request.url, request.headers['Cookie']);
    const spec = cookie === undefined ? request : { ...request, headers: { ...request.headers, Cookie: cookie } };
    const leg = await new Promise<Leg>((resolve, reject) => new Exchange(open, limit, this.replyBuffers, spec, resolve, reject, plan).start());
    await this.cookies.store(leg.reply.headers['set-cookie'], request.url);
    return leg;
  }

  /**
   * NTLM or Negotiate: on one connection of its own, a connection not yet authenticated first
   * carries the NEGOTIATE message with an empty body, then the request with the AUTHENTICATE
   * message; an authenticated one carries the request alone. A 401 on an authenticated connection
   * (the server asks again) sends the request again after a new handshake; a 401 after the
   * AUTHENTICATE message means the credentials were refused.
   */
  private async sendAuthenticated(auth: NtlmAuthenticator, request: HttpRequest, limit: number): Promise<HttpReply> {
    const started = performance.now();
    const remaining = (): HttpRequest => {
      const timeoutMs = request.timeoutMs - (performance.now() - started);
      if (timeoutMs <= 0) throw new TimeoutError(`${prefixOf(request.label)}no complete reply within ${Math.round(request.timeoutMs)} ms`, { operation: request.label, mayHaveReachedServer: false });
      return { ...request, timeoutMs };
    };
    const pool = this.poolFor(request.url);
    const agent = await pool.acquire(request);
    try {
      let mode: 'auto' | 'plain' | 'handshake' = this.challengesEveryRequest ? 'handshake' : 'auto';
      for (let handshakes = 0; ; ) {
        let wasAuthenticated = false;
        let negotiating = false;
        const first = await this.exchange(remaining(), limit, agent, (socket) => {
          wasAuthenticated = authenticatedSockets.has(socket);
          if (mode === 'plain' || (mode === 'auto' && wasAuthenticated)) return { body: true };
          negotiating = true;
          return { body: false, authorization: auth.negotiateMessage() };
        });
        if (!negotiating) {
          if (first.reply.status !== 401 || handshakes >= MAX_HANDSHAKES) return first.reply;
          // The server asks again: the request is sent again, after a new handshake on this connection.
          authenticatedSockets.delete(first.socket);
          if (wasAuthenticated) this.challengesEveryRequest = true;
          this.recycle(first.reply);
          mode = 'handshake';
          continue;
        }
        handshakes++;
        if (first.reply.status !== 401) {
          // Answered without asking for credentials: the server does not want them here.
          authenticatedSockets.add(first.socket);
          this.recycle(first.reply);
          mode = 'plain';
          continue;
        }
        const token = auth.challengeOf(first.reply.headers);
        if (token === undefined) throw this.notOffered(auth.scheme, first.reply, request.label);
        this.recycle(first.reply);
        const answer = auth.authenticateMessage(token, request.label);
        const second = await this.exchange(remaining(), limit, agent, (socket) =>
          socket === first.socket ? { body: true, authorization: answer } : connectionLost(auth.scheme, request.label),
        );
        if (second.reply.status === 401) throw this.refused(auth.scheme, second.reply, request.label);
        authenticatedSockets.add(second.socket);
        return second.reply;
      }
    } finally {
      pool.release(agent);
    }
  }

  /** A 401 after the credentials were sent; its body is not needed. */
  private refused(scheme: string, reply: HttpReply, label: string | undefined): HttpAuthenticationError {
    const error = credentialsRefused(scheme, reply.headers, label);
    this.recycle(reply);
    return error;
  }

  /** A 401 to the NEGOTIATE message without a challenge of that scheme. */
  private notOffered(scheme: string, reply: HttpReply, label: string | undefined): HttpAuthenticationError {
    const error = credentialsRefused(scheme, reply.headers, label);
    const offered = error.schemes.length > 0 ? `it asks for ${error.schemes.join(', ')}` : 'it names no scheme';
    this.recycle(reply);
    return new HttpAuthenticationError(`${prefixOf(label)}HTTP 401: the web server in front of the service answered the ${scheme} negotiation without a challenge (${offered})`, error.schemes, {
      operation: label,
      mayHaveReachedServer: false,
      httpStatus: 401,
    });
  }

  private readonly open = (url: URL, headers: Record<string, string | number>, agent: http.Agent, method: 'GET' | 'POST'): http.ClientRequest => {
    const options = { method, headers, agent };
    // A proxy agent takes the target's TLS settings from the request, not from itself.
    return url.protocol === 'https:' ? https.request(url, { ...options, ...this.tls }) : http.request(url, options);
  };

  private proxyOf(url: URL): string {
    return this.proxy === undefined ? getProxyForUrl(url.href) : this.proxy || '';
  }

  private poolFor(url: URL): ConnectionPool {
    const proxy = this.proxyOf(url);
    const key = `${url.protocol} ${proxy}`;
    let pool = this.pools.get(key);
    if (!pool) {
      const secure = url.protocol === 'https:';
      const options = { ...this.agentOptions, keepAlive: true, maxSockets: 1, maxFreeSockets: 1 };
      pool = new ConnectionPool(() => newAgent(secure, proxy, options, this.tls), this.agentOptions.maxSockets ?? 16);
      this.pools.set(key, pool);
    }
    return pool;
  }

  private agentFor(url: URL): http.Agent {
    const proxy = this.proxyOf(url);
    const key = `${url.protocol} ${proxy}`;
    let agent = this.agents.get(key);
    if (!agent) {
      agent = newAgent(url.protocol === 'https:', proxy, this.agentOptions, this.tls);
      this.agents.set(key, agent);
    }
    return agent;
  }
}

type ProxyAgents = { HttpProxyAgent: typeof import('http-proxy-agent').HttpProxyAgent; HttpsProxyAgent: typeof import('https-proxy-agent').HttpsProxyAgent };
/** The proxy agents' modules, loaded before the first request that goes through a proxy: most processes never do. */
let proxyAgents: ProxyAgents | undefined;

async function loadProxyAgents(): Promise<void> {
  if (proxyAgents) return;
  const [{ HttpProxyAgent }, { HttpsProxyAgent }] = await Promise.all([import('http-proxy-agent'), import('https-proxy-agent')]);
  proxyAgents = { HttpProxyAgent, HttpsProxyAgent };
}

/** A direct agent, or one that goes through an HTTP proxy (absolute URLs for http:, CONNECT for https:). */
function newAgent(secure: boolean, proxy: string, options: http.AgentOptions, tls: TlsOptions): http.Agent {
  if (proxy === '') return secure ? new https.Agent({ ...options, ...tls }) : new http.Agent(options);
  const { HttpProxyAgent, HttpsProxyAgent } = proxyAgents as ProxyAgents;
  return secure ? new HttpsProxyAgent(proxy, options) : new HttpProxyAgent(proxy, options);
}

/**
 * A pool of agents of one connection each, so that the exchanges of one call stay on one
 * connection (NTLM authenticates a connection, not a request) and no other call takes it midway.
 * The most recently used is lent first: it is the likeliest to be alive and authenticated.
 */
class ConnectionPool {
  private readonly idle: http.Agent[] = [];
  private readonly all = new Set<http.Agent>();
  private readonly waiting: Array<{ take: (agent: http.Agent) => void; stop: (error: Error) => void }> = [];
  private closed = false;

  constructor(
    private readonly create: () => http.Agent,
    private readonly size: number,
  ) {}

  /** An agent of its own for this call; waiting for one counts against the call's time and stops at its signal. */
  acquire(request: HttpRequest): Promise<http.Agent> {
    const idle = this.idle.pop();
    if (idle) return Promise.resolve(idle);
    if (this.all.size < this.size) {
      const agent = this.create();
      this.all.add(agent);
      return Promise.resolve(agent);
    }
    const { signal, label } = request;
    if (signal?.aborted) return Promise.reject(new AbortError(signal.reason, label));
    return new Promise((resolve, reject) => {
      const done = () => {
        const at = this.waiting.indexOf(waiter);
        if (at !== -1) this.waiting.splice(at, 1);
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const waiter = {
        take: (agent: http.Agent) => {
          done();
          resolve(agent);
        },
        stop: (error: Error) => {
          done();
          reject(error);
        },
      };
      const onAbort = () => waiter.stop(new AbortError(signal?.reason, label));
      const timer = setTimeout(() => waiter.stop(new TimeoutError(`${prefixOf(label)}no connection was free within ${Math.round(request.timeoutMs)} ms`, { operation: label, mayHaveReachedServer: false })), request.timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  release(agent: http.Agent): void {
    if (this.closed) return void agent.destroy();
    const next = this.waiting[0];
    if (next) next.take(agent);
    else this.idle.push(agent);
  }

  /** Closes every connection; a call still waiting for one fails, as nothing was sent. */
  destroy(): void {
    this.closed = true;
    for (const agent of this.all) agent.destroy();
    this.all.clear();
    this.idle.length = 0;
    for (const waiter of [...this.waiting]) waiter.stop(new TransportError('the client was closed before a connection was free', { mayHaveReachedServer: false }));
  }
}

/** The connection changed between the challenge and the answer: NTLM cannot go on without it. */
function connectionLost(scheme: string, label: string | undefined): HttpAuthenticationError {
  const message = `${prefixOf(label)}the web server closed the connection after its ${scheme} challenge; ${scheme} authenticates a connection and needs it kept alive (a proxy in between may not keep it)`;
  return new HttpAuthenticationError(message, [scheme], { operation: label, mayHaveReachedServer: false });
}

function prefixOf(label: string | undefined): string {
  return label === undefined ? '' : `${label}: `;
}

type Open = (url: URL, headers: Record<string, string | number>) => http.ClientRequest;

/**
 * Decided once the request has its connection: whether it carries the body, and an Authorization
 * header (NTLM: a connection not yet authenticated first carries the NEGOTIATE message alone).
 * An error fails the exchange before anything is sent.
 */
type Plan = (socket: Socket) => { body: boolean; authorization?: string } | Error;

/** A reply and the connection it came on. */
interface Leg {
  reply: HttpReply;
  socket: Socket;
}

/** One request's life: connect, send, collect the reply, or fail exactly once. */
class Exchange {
  private request: http.ClientRequest | undefined;
  private timer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  /** When the exchange last made progress (performance.now()). */
  private touchedAt = 0;
  private settled = false;
  /** Becomes true once the connection is up: from then on the server may act on what it got. */
  private connected = false;
  /** The request goes without its body (an NTLM NEGOTIATE message): the server cannot act on it. */
  private harmless = false;
  private socket: Socket | undefined;

  constructor(
    private readonly open: Open,
    private readonly responseLimit: number,
    private readonly replyBuffers: BufferPool,
    private readonly spec: HttpRequest,
    private readonly resolve: (leg: Leg) => void,
    private readonly reject: (error: Error) => void,
    private readonly plan?: Plan,
  ) {}

  private get mayHaveReachedServer(): boolean {
    return this.connected && !this.harmless;
  }

  start(): void {
    const { signal, url, body, headers, timeoutMs } = this.spec;
    if (signal?.aborted) return this.fail(new AbortError(signal.reason, this.spec.label));
    signal?.addEventListener('abort', this.onAbort, { once: true });
    this.timer = setTimeout(this.onTimeout, timeoutMs);
    this.touch();
    const streamed = isStreamed(body);
    // A GET carries no body, so no body headers.
    const request = this.open(url, this.spec.method === 'GET' ? { ...headers } : { ...headers, 'Content-Length': streamed ? body.byteLength : Buffer.byteLength(body) });
    this.request = request;
    request.on('socket', (socket: Socket) => {
      this.socket = socket;
      if (!socket.connecting) this.connected = true;
      else {
        socket.once('connect', () => {
          this.connected = true;
          this.touch();
        });
      }
      if (this.plan) this.follow(this.plan(socket));
    });
    request.on('finish', this.touch);
    request.on('error', (error: NodeJS.ErrnoException) => this.fail(this.transportError(error)));
    request.on('response', (response) => this.collect(response));
    if (!this.plan) this.sendBody();
  }

  /** Sends what the plan says, now that the connection is known; nothing was written before. */
  private follow(decision: ReturnType<Plan>): void {
    if (this.settled) return;
    if (decision instanceof Error) return this.fail(decision);
    const request = this.request as http.ClientRequest;
    if (decision.authorization !== undefined) request.setHeader('Authorization', decision.authorization);
    if (decision.body) return this.sendBody();
    this.harmless = true;
    request.setHeader('Content-Length', 0);
    request.end();
  }

  private sendBody(): void {
    const request = this.request as http.ClientRequest;
    const { body } = this.spec;
    if (isStreamed(body)) this.pump(request, body.pieces());
    else request.end(body);
  }

  /** Writes pieces while the connection takes them, and goes on at 'drain'. */
  private pump(request: http.ClientRequest, pieces: Iterator<Buffer>): void {
    for (let piece = pieces.next(); !piece.done; piece = pieces.next()) {
      if (this.settled) return;
      if (!request.write(piece.value)) {
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
    const codings = codingsOf(response);
    const unknown = unknownCoding(codings);
    if (unknown !== undefined) return this.fail(this.unreadable(response, `Content-Encoding "${unknown}", which this client cannot decode (it reads gzip, deflate and br)`));
    // The declared length is the encoded body's; the limit holds for the decoded one, so that no small reply inflates past it.
    const declared = codings.length === 0 ? declaredLength(response) : undefined;
    if (declared !== undefined && declared > this.responseLimit) return this.fail(this.tooLarge(response, `declares ${declared} bytes`));
    const sink = this.spec.sink ?? new ReplyBytes(this.replyBuffers);
    sink.begin(declared);
    let size = 0;
    this.touch();
    const body = decoded(response, codings);
    body.on('data', (chunk: Buffer) => {
      if (size + chunk.length > this.responseLimit) return this.fail(this.tooLarge(response, 'goes on'));
      this.touch();
      size += chunk.length;
      sink.add(chunk);
    });
    if (body !== response) body.on('error', (error) => this.fail(this.unreadable(response, `${codings.join(', ')}-encoded body that does not decode (${error.message})`)));
    response.on('error', (error) => this.fail(this.transportError(error)));
    response.on('aborted', () => this.fail(new TransportError(`${this.prefix}the connection closed before the reply was complete`, { operation: this.spec.label, mayHaveReachedServer: !this.harmless })));
    body.on('end', () => {
      if (this.settled || !response.complete) return;
      this.finish();
      // A reply that came before the whole body was sent leaves a connection no one can reuse, and
      // the body's memory must not be read once the exchange is over (send()).
      if (!this.request?.writableFinished) this.request?.destroy();
      const received = { status: response.statusCode ?? 0, statusText: response.statusMessage ?? '', headers: response.headers, body: sink.bytes() };
      this.resolve({ reply: received, socket: (this.socket ?? response.socket) as Socket });
    });
  }

  /** A reply whose body cannot be read; asking again would bring the same. */
  private unreadable(response: http.IncomingMessage, what: string): MalformedReplyError {
    return new MalformedReplyError(`${this.prefix}the HTTP ${response.statusCode ?? 0} reply has a ${what}`, undefined, {
      operation: this.spec.label,
      mayHaveReachedServer: !this.harmless,
      httpStatus: response.statusCode,
    });
  }

  private tooLarge(response: http.IncomingMessage, how: string): ReplyTooLargeError {
    return new ReplyTooLargeError(`${this.prefix}the HTTP ${response.statusCode ?? 0} reply ${how}, past the ${this.responseLimit} bytes a reply of this call can have; it was refused unparsed`, {
      operation: this.spec.label,
      mayHaveReachedServer: !this.harmless,
      httpStatus: response.statusCode,
    });
  }

  private get prefix(): string {
    return this.spec.label === undefined ? '' : `${this.spec.label}: `;
  }

  /**
   * Something happened on the exchange: the silence allowed starts again. This runs for every
   * socket read, so it only notes the time; the timer, when it fires, waits out what is left.
   */
  private readonly touch = (): void => {
    const { idleTimeoutMs } = this.spec;
    if (idleTimeoutMs === undefined || this.settled) return;
    this.touchedAt = performance.now();
    this.idleTimer ??= setTimeout(this.onIdle, idleTimeoutMs);
  };

  private readonly onIdle = (): void => {
    const left = (this.spec.idleTimeoutMs ?? 0) - (performance.now() - this.touchedAt);
    if (left > 0) {
      this.idleTimer = setTimeout(this.onIdle, left);
      return;
    }
    const waited = this.request?.writableFinished ? 'for the reply' : this.connected ? 'while sending the request' : 'to connect';
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
    if (TLS_FAILURE.test(code ?? '')) {
      const fix = UNTRUSTED_ISSUER.has(code ?? '') ? "; if a private CA signed the server's certificate, trust it with tls.ca" : '';
      return new CertificateError(`${prefix}TLS with ${host} failed: ${what}${fix}`, { operation, mayHaveReachedServer: false, cause: error, code });
    }
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
