// HTTP authentication to the web server in front of the service, and the headers sent with every
// request. Basic goes on every request. NTLM authenticates a connection: a NEGOTIATE message,
// the server's CHALLENGE in a 401, then the AUTHENTICATE message with the request, all on one
// kept-alive connection (the transport drives that; see docs/protocol.md#ntlm). The NTLM
// messages and their cryptography are httpntlm's; this module only checks what it is given and
// what the server sends back. Negotiate is the same NTLM token under the Negotiate scheme, which
// IIS takes when Kerberos is not used; Kerberos itself is not supported.
import type { Ntlm, Type2Message } from 'httpntlm/ntlm.js';
import { createRequire } from 'node:module';
import type { IncomingHttpHeaders } from 'node:http';
import { HttpAuthenticationError, InvalidArgumentError } from '../errors.js';
import { PACKAGE_VERSION } from '../package-files.js';
import { HTTP_AUTH_TYPES, type HttpAuthOptions } from './auth-options.js';

export type { HttpAuthOptions, HttpAuthType } from './auth-options.js';

/** The User-Agent every request carries unless `headers` sets another. */
export const DEFAULT_USER_AGENT = `srv-asmx-client/${PACKAGE_VERSION} (node/${process.versions.node})`;

const AUTH_TYPES: ReadonlySet<string> = new Set(HTTP_AUTH_TYPES);
/** RFC 9110 token characters: what a header name may be made of. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Characters no header value may carry (they would end the header, or the request). */
const BREAKS = /[\r\n\0]/;
/**
 * Headers the transport or the SOAP binding set, which a custom header must not replace: the body's
 * framing, the connection, the SOAP action, and a proxy's credentials (which a CONNECT tunnel would
 * carry to the target instead; a proxy URL carries them).
 */
const RESERVED_HEADERS: ReadonlySet<string> = new Set([
  'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'host', 'expect', 'te', 'trailer', 'upgrade',
  'content-type', 'soapaction', 'proxy-authorization',
]);

/** Checks the shape of `auth`; nothing has been sent yet. */
export function checkAuth(auth: HttpAuthOptions | undefined): void {
  if (auth === undefined) return;
  if (typeof auth !== 'object' || auth === null) throw new InvalidArgumentError('auth', 'must be { type, user, password }');
  if (!AUTH_TYPES.has(auth.type)) throw new InvalidArgumentError('auth.type', "must be 'basic', 'ntlm' or 'negotiate'");
  for (const name of ['user', 'password', 'domain', 'workstation'] as const) {
    const value = auth[name];
    if (value === undefined && (name === 'domain' || name === 'workstation')) continue;
    if (typeof value !== 'string') throw new InvalidArgumentError(`auth.${name}`, 'must be a string');
    if (BREAKS.test(value)) throw new InvalidArgumentError(`auth.${name}`, 'must not contain line breaks or NUL');
  }
  if (auth.user === '') throw new InvalidArgumentError('auth.user', 'must not be empty');
  if (auth.type === 'basic' && accountOf(auth).user.includes(':')) throw new InvalidArgumentError('auth.user', 'must not contain ":" with Basic authentication');
}

/** Basic over plain http: is refused unless asked for, before anything is sent. */
export function checkAuthFor(auth: Pick<HttpAuthOptions, 'type' | 'allowHttp'> | undefined, url: URL): void {
  if (auth?.type === 'basic' && url.protocol === 'http:' && auth.allowHttp !== true) {
    throw new InvalidArgumentError('auth.allowHttp', 'must be true to send Basic credentials over plain http:, where anyone on the way can read them (use https:)');
  }
}

/**
 * The headers of every request: the default User-Agent, then `custom` (which may replace it).
 * Names and values are checked; the transport's and the SOAP binding's own headers cannot be replaced.
 */
export function fixedHeaders(custom: Readonly<Record<string, string>> | undefined, auth: Pick<HttpAuthOptions, 'type'> | undefined): Record<string, string> {
  return withHeaders({ 'User-Agent': DEFAULT_USER_AGENT }, checkHeaders(custom, auth));
}

/**
 * Checks headers to add to requests (`headers`, a call's `headers`, what `onRequest` returns; `name`
 * names them in errors) by the rules of the client's fixed headers: valid names and values, none
 * of the client's own, no Authorization beside `auth`.
 */
export function checkHeaders(custom: unknown, auth: Pick<HttpAuthOptions, 'type'> | undefined, name = 'headers'): Readonly<Record<string, string>> {
  if (custom === undefined) return {};
  if (typeof custom !== 'object' || custom === null) throw new InvalidArgumentError(name, 'must be an object of header names and values');
  for (const [header, value] of Object.entries(custom)) {
    const argument = `${name}[${JSON.stringify(header)}]`;
    const lower = header.toLowerCase();
    if (!TOKEN.test(header)) throw new InvalidArgumentError(argument, 'is not a valid header name');
    if (typeof value !== 'string' || BREAKS.test(value)) throw new InvalidArgumentError(argument, 'must be a string without line breaks or NUL');
    if (RESERVED_HEADERS.has(lower)) throw new InvalidArgumentError(argument, 'is set by the client itself and cannot be replaced');
    if (lower === 'authorization' && auth !== undefined) throw new InvalidArgumentError(argument, 'cannot be set together with auth');
  }
  return custom as Readonly<Record<string, string>>;
}

/** `base` with `added` on top: a header added replaces one of the same name, however it is spelt. */
export function withHeaders(base: Readonly<Record<string, string>>, added: Readonly<Record<string, string>>): Record<string, string> {
  const headers: Record<string, string> = { ...base };
  for (const [name, value] of Object.entries(added)) {
    const lower = name.toLowerCase();
    for (const existing of Object.keys(headers)) if (existing.toLowerCase() === lower) delete headers[existing];
    headers[name] = value;
  }
  return headers;
}

/** The user and domain: `DOMAIN\user` splits, unless a domain is given apart. */
function accountOf(auth: HttpAuthOptions): { user: string; domain: string | undefined } {
  const slash = auth.user.indexOf('\\');
  if (auth.domain !== undefined && auth.domain !== '') return { user: auth.user, domain: auth.domain };
  if (slash > 0) return { user: auth.user.slice(slash + 1), domain: auth.user.slice(0, slash) };
  return { user: auth.user, domain: undefined };
}

/** `Basic base64(user:password)`, UTF-8 (RFC 7617), with the domain as `DOMAIN\user` when one is given. */
export function basicAuthorization(auth: HttpAuthOptions): string {
  const { user, domain } = accountOf(auth);
  const name = domain === undefined ? user : `${domain}\\${user}`;
  return `Basic ${Buffer.from(`${name}:${auth.password}`, 'utf8').toString('base64')}`;
}

/** What `WWW-Authenticate` offers, by scheme name: `NTLM`, `Negotiate`, `Basic realm="x"` → NTLM, Negotiate, Basic. */
export function schemesOf(headers: IncomingHttpHeaders): string[] {
  const header = headers['www-authenticate'];
  const values: string[] = header === undefined ? [] : Array.isArray(header) ? header : [header];
  const schemes = values.flatMap((value) => value.split(/,(?=\s*[A-Za-z][\w-]*(?:\s|$|,))/).map((part) => /^\s*([A-Za-z][\w-]*)/.exec(part)?.[1]));
  return [...new Set(schemes.filter((scheme): scheme is string => scheme !== undefined))];
}

/** `auth.password` refused: a 401 after the credentials were sent. Never retried. */
export function credentialsRefused(scheme: string, headers: IncomingHttpHeaders, operation: string | undefined): HttpAuthenticationError {
  const prefix = operation === undefined ? '' : `${operation}: `;
  const message = `${prefix}HTTP 401: the web server in front of the service refused the ${scheme} credentials; check the user name, password and domain`;
  return new HttpAuthenticationError(message, schemesOf(headers), { operation, mayHaveReachedServer: false, httpStatus: 401 });
}

const NTLM_SIGNATURE = Buffer.from('NTLMSSP\0', 'latin1');
const NEGOTIATE_UNICODE = 0x00000001;
const NEGOTIATE_EXTENDED_SESSIONSECURITY = 0x00080000;
const NEGOTIATE_TARGET_INFO = 0x00800000;
const BASE64_TOKEN = /^[A-Za-z0-9+/]+={0,2}$/;

/** httpntlm, loaded by the first NTLM or Negotiate client: no other needs it. */
const loadNtlm = (): Ntlm => createRequire(import.meta.url)('httpntlm/ntlm.js') as Ntlm;

/** The NTLM exchange of one set of credentials, under the `NTLM` or the `Negotiate` scheme. */
export class NtlmAuthenticator {
  readonly scheme: 'NTLM' | 'Negotiate';
  private readonly user: string;
  private readonly domain: string | undefined;
  private readonly ntlm = loadNtlm();

  constructor(private readonly auth: HttpAuthOptions) {
    this.scheme = auth.type === 'negotiate' ? 'Negotiate' : 'NTLM';
    ({ user: this.user, domain: this.domain } = accountOf(auth));
  }

  /** The `Authorization` value that opens the exchange (NEGOTIATE_MESSAGE). */
  negotiateMessage(): string {
    return this.asScheme(this.ntlm.createType1Message({ domain: this.domain ?? '', workstation: this.auth.workstation ?? '' }));
  }

  /** The server's CHALLENGE_MESSAGE in a 401's `WWW-Authenticate`, for our scheme; undefined if there is none. */
  challengeOf(headers: IncomingHttpHeaders): string | undefined {
    const header = headers['www-authenticate'];
    const values: string[] = header === undefined ? [] : Array.isArray(header) ? header : [header];
    for (const part of values.flatMap((value) => value.split(','))) {
      const match = /^\s*([A-Za-z]+)\s+(\S+)\s*$/.exec(part);
      if (match && match[1]?.toLowerCase() === this.scheme.toLowerCase() && BASE64_TOKEN.test(match[2] ?? '')) return match[2];
    }
    return undefined;
  }

  /**
   * The `Authorization` value that answers the challenge (AUTHENTICATE_MESSAGE, NTLMv2). A challenge
   * that is not NTLM, or that offers only NTLMv1 (which a captured exchange gives away), is refused.
   */
  authenticateMessage(token: string, operation: string | undefined): string {
    const bytes = Buffer.from(token, 'base64');
    const refuse = (why: string) => {
      const prefix = operation === undefined ? '' : `${operation}: `;
      return new HttpAuthenticationError(`${prefix}HTTP 401: the web server's ${this.scheme} challenge ${why}`, [this.scheme], { operation, mayHaveReachedServer: false, httpStatus: 401 });
    };
    if (bytes.length < 32 || !bytes.subarray(0, 8).equals(NTLM_SIGNATURE)) {
      throw refuse(this.scheme === 'Negotiate' ? 'is not NTLM: Kerberos (SPNEGO) is not supported; try the NTLM scheme if the server offers it' : 'is not an NTLM message');
    }
    let failure: Error | undefined;
    const challenge = this.ntlm.parseType2Message(`NTLM ${token}`, (error) => (failure = error));
    if (challenge === null || failure) throw refuse(`is not an NTLM challenge (${failure?.message ?? 'unreadable'})`);
    if ((challenge.negotiateFlags & NEGOTIATE_EXTENDED_SESSIONSECURITY) === 0 || (challenge.negotiateFlags & NEGOTIATE_TARGET_INFO) === 0 || !challenge.targetInfo?.length) {
      throw refuse('offers only NTLMv1, which this client does not use (anyone who captures the exchange can recover the password hash)');
    }
    const domain = this.domain ?? targetNameOf(challenge);
    return this.asScheme(this.ntlm.createType3Message(challenge, { username: this.user, password: this.auth.password, domain, workstation: this.auth.workstation ?? '' }));
  }

  private asScheme(message: string): string {
    return `${this.scheme} ${message.replace(/^NTLM /, '')}`;
  }
}

/** The domain (or server) the challenge names, as the default domain of the user. */
function targetNameOf(challenge: Type2Message): string {
  const bytes = challenge.targetName.subarray(0, Math.max(0, challenge.targetNameLen));
  return (challenge.negotiateFlags & NEGOTIATE_UNICODE) !== 0 ? bytes.toString('utf16le') : bytes.toString('latin1');
}
