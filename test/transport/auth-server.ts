// A web server in front of the emulator that asks for HTTP authentication, as IIS does: Basic, or
// NTLM (also under the Negotiate scheme) with the real three messages. It answers a NEGOTIATE
// message with a real CHALLENGE (a random server challenge, target info), verifies the
// AUTHENTICATE message's NTLMv2 response against the account's password by the MS-NLMP algorithm
// (NT hash = MD4 of the UTF-16LE password, then HMAC-MD5), on the connection that got the
// challenge only, and then forwards the request and its body to the emulator. It records every
// request it got, by connection.
import { createHmac, randomBytes } from 'node:crypto';
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import md4 from 'js-md4';

export interface Account {
  user: string;
  password: string;
  /** NTLM: the domain the server names in its challenge, and accepts. */
  domain: string;
}

export interface AuthServerOptions {
  /** The emulator's URL; the path of each request is kept. */
  upstream: string;
  scheme: 'Basic' | 'NTLM' | 'Negotiate';
  account: Account;
  /** As IIS with authPersistSingleRequest: an authenticated connection is challenged again on its next request. */
  challengeEveryRequest?: boolean;
  /** Closes the connection after the CHALLENGE, as a server (or proxy) that does not keep it. */
  closeAfterChallenge?: boolean;
  /** NTLM: a CHALLENGE without extended session security or target info (NTLMv1 only). */
  ntlmV1Only?: boolean;
  /** Serves https: with this certificate. */
  tls?: { cert: Buffer; key: Buffer };
}

export type SeenKind = 'negotiate' | 'authenticate' | 'plain' | 'basic';

export interface Seen {
  /** 1, 2, … in the order connections were opened. */
  connection: number;
  kind: SeenKind;
  status: number;
  /** The body's bytes as they arrived, and the Content-Length that announced them. */
  bodyBytes: number;
  declared: number;
  headers: IncomingHttpHeaders;
  /** What the AUTHENTICATE message named. */
  user?: string;
  domain?: string;
  /** The reason an AUTHENTICATE message was refused. */
  refused?: string;
}

export interface AuthServer {
  readonly url: string;
  readonly seen: Seen[];
  /** The bodies of the requests forwarded to the emulator. */
  readonly forwarded: Buffer[];
  close(): Promise<void>;
}

const SIGNATURE = Buffer.from('NTLMSSP\0', 'latin1');
const FLAGS = {
  unicode: 0x1,
  requestTarget: 0x4,
  ntlm: 0x200,
  alwaysSign: 0x8000,
  targetTypeDomain: 0x10000,
  extendedSessionSecurity: 0x80000,
  targetInfo: 0x800000,
  version: 0x2000000,
  k128: 0x20000000,
  k56: 0x80000000,
};

export function ntHash(password: string): Buffer {
  return Buffer.from(md4.arrayBuffer(Buffer.from(password, 'utf16le')));
}

function hmacMd5(key: Buffer, data: Buffer): Buffer {
  return createHmac('md5', key).update(data).digest();
}

/** NTOWFv2 (MS-NLMP 3.3.2): HMAC-MD5 of the NT hash over UNICODE(Uppercase(user) + domain). */
export function ntowfV2(password: string, user: string, domain: string): Buffer {
  return hmacMd5(ntHash(password), Buffer.from(user.toUpperCase() + domain, 'utf16le'));
}

/** NTProofStr (MS-NLMP 3.3.2): HMAC-MD5 of the response key over the server challenge and the client's blob. */
export function ntProof(responseKey: Buffer, serverChallenge: Buffer, blob: Buffer): Buffer {
  return hmacMd5(responseKey, Buffer.concat([serverChallenge, blob]));
}

function avPair(id: number, value: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16LE(id, 0);
  head.writeUInt16LE(value.length, 2);
  return Buffer.concat([head, value]);
}

/** The target info of a domain member server: names, DNS names, a timestamp, the end. */
function targetInfo(domain: string): Buffer {
  const time = Buffer.alloc(8);
  time.writeBigUInt64LE((BigInt(Date.now()) + 11_644_473_600_000n) * 10_000n);
  return Buffer.concat([
    avPair(2, Buffer.from(domain, 'utf16le')),
    avPair(1, Buffer.from('IISHOST', 'utf16le')),
    avPair(4, Buffer.from(`${domain.toLowerCase()}.local`, 'utf16le')),
    avPair(3, Buffer.from(`iishost.${domain.toLowerCase()}.local`, 'utf16le')),
    avPair(7, time),
    avPair(0, Buffer.alloc(0)),
  ]);
}

/** A CHALLENGE_MESSAGE (MS-NLMP 2.2.1.2). */
function challengeMessage(serverChallenge: Buffer, domain: string, info: Buffer, v1Only: boolean): Buffer {
  const name = Buffer.from(domain, 'utf16le');
  const flags = v1Only
    ? FLAGS.unicode | FLAGS.requestTarget | FLAGS.ntlm | FLAGS.alwaysSign | FLAGS.targetTypeDomain
    : FLAGS.unicode | FLAGS.requestTarget | FLAGS.ntlm | FLAGS.alwaysSign | FLAGS.targetTypeDomain | FLAGS.extendedSessionSecurity | FLAGS.targetInfo | FLAGS.version | FLAGS.k128 | FLAGS.k56;
  const payloadInfo = v1Only ? Buffer.alloc(0) : info;
  const head = Buffer.alloc(56);
  SIGNATURE.copy(head, 0);
  head.writeUInt32LE(2, 8);
  head.writeUInt16LE(name.length, 12);
  head.writeUInt16LE(name.length, 14);
  head.writeUInt32LE(56, 16);
  head.writeUInt32LE(flags >>> 0, 20);
  serverChallenge.copy(head, 24);
  head.writeUInt16LE(payloadInfo.length, 40);
  head.writeUInt16LE(payloadInfo.length, 42);
  head.writeUInt32LE(56 + name.length, 44);
  head.set([10, 0, 0x63, 0x45, 0, 0, 0, 15], 48); // Windows 10.0.17763, NTLM revision 15
  return Buffer.concat([head, name, payloadInfo]);
}

interface Authenticate {
  user: string;
  domain: string;
  workstation: string;
  nt: Buffer;
}

/** Reads an AUTHENTICATE_MESSAGE (MS-NLMP 2.2.1.3); undefined if it is none. */
function readAuthenticate(message: Buffer): Authenticate | undefined {
  if (message.length < 64 || !message.subarray(0, 8).equals(SIGNATURE) || message.readUInt32LE(8) !== 3) return undefined;
  const field = (at: number) => message.subarray(message.readUInt32LE(at + 4), message.readUInt32LE(at + 4) + message.readUInt16LE(at));
  const unicode = (message.readUInt32LE(60) & FLAGS.unicode) !== 0;
  const text = (at: number) => field(at).toString(unicode ? 'utf16le' : 'latin1');
  return { nt: field(20), domain: text(28), user: text(36), workstation: text(44) };
}

interface ConnectionState {
  id: number;
  challenge?: { serverChallenge: Buffer; info: Buffer };
  authenticated: boolean;
}

export async function startAuthServer(options: AuthServerOptions): Promise<AuthServer> {
  const upstream = new URL(options.upstream);
  const agent = new http.Agent({ keepAlive: true });
  const seen: Seen[] = [];
  const forwarded: Buffer[] = [];
  const connections = new WeakMap<Socket, ConnectionState>();
  let opened = 0;
  const { account } = options;

  const forward = (request: http.IncomingMessage, body: Buffer, response: http.ServerResponse, record: Seen) => {
    const headers = { ...request.headers };
    delete headers['authorization'];
    delete headers['host'];
    forwarded.push(body);
    const out = http.request({ host: upstream.hostname, port: upstream.port, path: request.url, method: request.method, headers, agent }, (reply) => {
      record.status = reply.statusCode ?? 0;
      response.writeHead(reply.statusCode ?? 502, reply.headers);
      reply.pipe(response);
    });
    out.on('error', () => response.destroy());
    out.end(body);
  };

  const refuse = (response: http.ServerResponse, record: Seen, challenge?: string, close = false) => {
    record.status = 401;
    const offer = challenge === undefined ? options.scheme === 'Basic' ? 'Basic realm="srv"' : options.scheme : `${options.scheme} ${challenge}`;
    response.writeHead(401, { 'WWW-Authenticate': offer, 'Content-Type': 'text/html', ...(close && { Connection: 'close' }) });
    response.end('<html><body>401 - Unauthorized: Access is denied due to invalid credentials.</body></html>');
  };

  const handle = (request: http.IncomingMessage, body: Buffer, response: http.ServerResponse) => {
    const state = connections.get(request.socket) as ConnectionState;
    const authorization = request.headers['authorization'] ?? '';
    const record: Seen = { connection: state.id, kind: 'plain', status: 0, bodyBytes: body.length, declared: Number(request.headers['content-length'] ?? -1), headers: request.headers };
    seen.push(record);
    if (options.scheme === 'Basic') {
      record.kind = 'basic';
      const expected = `Basic ${Buffer.from(`${account.user}:${account.password}`, 'utf8').toString('base64')}`;
      return authorization === expected ? forward(request, body, response, record) : refuse(response, record);
    }
    const token = new RegExp(`^${options.scheme} ([A-Za-z0-9+/=]+)$`).exec(authorization)?.[1];
    if (token === undefined) {
      if (!state.authenticated) return refuse(response, record);
      if (options.challengeEveryRequest) state.authenticated = false;
      return forward(request, body, response, record);
    }
    const message = Buffer.from(token, 'base64');
    if (message.length >= 12 && message.subarray(0, 8).equals(SIGNATURE) && message.readUInt32LE(8) === 1) {
      record.kind = 'negotiate';
      state.authenticated = false;
      const serverChallenge = randomBytes(8);
      const info = targetInfo(account.domain);
      state.challenge = { serverChallenge, info };
      return refuse(response, record, challengeMessage(serverChallenge, account.domain, info, options.ntlmV1Only ?? false).toString('base64'), options.closeAfterChallenge);
    }
    record.kind = 'authenticate';
    const authenticate = readAuthenticate(message);
    const pending = state.challenge;
    state.challenge = undefined;
    const why = verify(authenticate, pending);
    if (authenticate) Object.assign(record, { user: authenticate.user, domain: authenticate.domain });
    if (why !== undefined) {
      record.refused = why;
      return refuse(response, record);
    }
    state.authenticated = !options.challengeEveryRequest;
    return forward(request, body, response, record);
  };

  /** Why the AUTHENTICATE message does not prove the account's password; undefined if it does. */
  const verify = (authenticate: Authenticate | undefined, pending: ConnectionState['challenge']): string | undefined => {
    if (!authenticate) return 'not an AUTHENTICATE message';
    if (!pending) return 'no challenge on this connection';
    if (authenticate.user.toUpperCase() !== account.user.toUpperCase()) return `unknown user ${authenticate.user}`;
    if (authenticate.domain.toUpperCase() !== account.domain.toUpperCase()) return `unknown domain ${authenticate.domain}`;
    if (authenticate.nt.length <= 24) return 'not an NTLMv2 response';
    const proof = authenticate.nt.subarray(0, 16);
    const blob = authenticate.nt.subarray(16);
    if (blob.readUInt16LE(0) !== 0x0101) return 'not an NTLMv2 blob';
    if (!blob.subarray(28, 28 + pending.info.length).equals(pending.info)) return 'the blob does not carry the target info of the challenge';
    const expected = ntProof(ntowfV2(account.password, authenticate.user, authenticate.domain), pending.serverChallenge, blob);
    return proof.equals(expected) ? undefined : 'wrong password';
  };

  const listener = (request: http.IncomingMessage, response: http.ServerResponse) => {
    const pieces: Buffer[] = [];
    request.on('data', (piece: Buffer) => pieces.push(piece));
    request.on('end', () => handle(request, Buffer.concat(pieces), response));
  };
  const server = options.tls ? https.createServer({ ...options.tls, keepAlive: true }, listener) : http.createServer({ keepAlive: true }, listener);
  server.on(options.tls ? 'secureConnection' : 'connection', (socket: Socket) => connections.set(socket, { id: ++opened, authenticated: false }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}${upstream.pathname}`,
    seen,
    forwarded,
    close: async () => {
      server.closeAllConnections();
      agent.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
