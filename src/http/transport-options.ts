// The options of the HTTP transport (transport.ts), which every client takes, and their tables.
import type { OptionTable } from '../util/options.js';
import type { HttpAuthOptions } from './auth-options.js';

export interface TlsOptions {
  /**
   * CA certificates (PEM) to trust, e.g. a private CA, in addition to Node's trust store and
   * NODE_EXTRA_CA_CERTS (never instead of them).
   * @default Node's trust store and NODE_EXTRA_CA_CERTS only
   */
  ca?: string | Buffer | Array<string | Buffer>;
  /**
   * A client certificate (PEM), with `key`.
   * @default none
   */
  cert?: string | Buffer;
  /**
   * The private key of `cert` (PEM).
   * @default none
   */
  key?: string | Buffer;
  /**
   * false accepts any server certificate. Only ever as an explicit opt-in.
   * @default true
   */
  rejectUnauthorized?: boolean;
}

export const TLS_OPTIONS = {
  ca: { defaultText: "Node's trust store and NODE_EXTRA_CA_CERTS only", summary: "CA certificates (PEM) to trust in addition to Node's trust store and NODE_EXTRA_CA_CERTS", cli: '--ca' },
  cert: { summary: 'a client certificate (PEM), with `key`', cli: '--cert' },
  key: { summary: 'the private key of `cert` (PEM)', cli: '--key' },
  rejectUnauthorized: { default: true, summary: '`false` accepts any server certificate: only for tests against a server you trust', cli: '--insecure' },
} as const satisfies OptionTable<TlsOptions>;

export interface TransportOptions {
  /**
   * Reuse connections across requests.
   * @default true
   */
  keepAlive?: boolean;
  /**
   * Most connections kept per host.
   * @default 16
   */
  maxSockets?: number;
  /**
   * How long a kept connection may sit idle before it is closed instead of reused, in ms, or the
   * server's `Keep-Alive: timeout` less a second when that is shorter: under the shortest keep-alive
   * servers commonly use (Node's and Apache's 5 s), so that a request is not written on a
   * connection the server is closing.
   * @default 4000
   */
  idleSocketMs?: number;
  /**
   * No reply body may be larger than this, whatever the operation.
   * @default 134217728
   */
  maxResponseBytes?: number;
  /**
   * Certificates: a private CA, a client certificate (TLS_OPTIONS).
   * @default none
   */
  tls?: TlsOptions;
  /**
   * A proxy URL for every request, or false for none.
   * @default `HTTP_PROXY`, `HTTPS_PROXY` and `NO_PROXY` decide
   */
  proxy?: string | false;
  /**
   * HTTP authentication to the web server in front of the service (HTTP_AUTH_OPTIONS). Basic goes
   * on every request, and only over https: unless `allowHttp`; NTLM and Negotiate authenticate each
   * new connection, and again whenever the server asks. A 401 after the credentials were sent is
   * an HttpAuthenticationError, never retried.
   * @default none
   */
  auth?: HttpAuthOptions;
  /**
   * Headers sent with every request; one of these may replace the `User-Agent`.
   * Content-Type, SOAPAction, Content-Length, Connection, Host and the like are the client's own
   * and cannot be set; Authorization only without `auth`.
   * @default only `User-Agent: srv-asmx-client/<version> (node/<version>)`
   */
  headers?: Readonly<Record<string, string>>;
}

export const TRANSPORT_OPTIONS = {
  keepAlive: { default: true, summary: 'reuse connections across requests' },
  maxSockets: { default: 16, whole: true, min: 1, summary: 'most connections kept per host' },
  idleSocketMs: { default: 4_000, above: 0, unit: 'ms', summary: "how long a kept connection may sit idle before it is closed (or the server's `Keep-Alive` hint less 1 s)" },
  maxResponseBytes: { default: 128 * 1_048_576, whole: true, min: 1, unit: 'bytes', summary: 'no reply body may be larger, whatever the operation' },
  tls: { summary: 'a private CA and a client certificate: `{ ca, cert, key, rejectUnauthorized }`' },
  proxy: { defaultText: '`HTTP_PROXY`, `HTTPS_PROXY` and `NO_PROXY` decide', summary: 'a proxy URL for every request, or `false` for none' },
  auth: { summary: 'HTTP authentication to the web server in front of the service: `{ type, user, password, … }`', cli: '--http-auth' },
  headers: {
    defaultText: 'only `User-Agent: srv-asmx-client/<version> (node/<version>)`',
    summary: "`{ name: value }` sent with every request; not the client's own (Content-Type, SOAPAction, …)",
    cli: '--header',
  },
} as const satisfies OptionTable<TransportOptions>;
