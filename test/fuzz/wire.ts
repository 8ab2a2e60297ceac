// Requests the fuzz tests send: one call over any of the emulator's protocols, raw SOAP bytes, raw
// request text on a socket, and a slow-loris that trickles a request until the server hangs up.
import { connect } from 'node:net';
import { envelope11, envelope12, httpGet, postForm, postMultipart, postSoap11, postSoap12, resultOf, TEMPURI, type HttpReply, type ParamList } from '../emulator/helpers.js';
import type { SoapVersion } from './hostile-input.js';

export const PROTOCOLS = ['soap11', 'soap12', 'get', 'post', 'multipart'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export function call(protocol: Protocol, url: string, op: string, params: ParamList): Promise<HttpReply> {
  switch (protocol) {
    case 'soap11':
      return postSoap11(url, `${TEMPURI}${op}`, envelope11(op, params));
    case 'soap12':
      return postSoap12(url, `${TEMPURI}${op}`, envelope12(op, params));
    case 'get':
      return httpGet(url, op, params);
    case 'post':
      return postForm(url, op, params);
    case 'multipart':
      return postMultipart(url, op, params);
  }
}

/**
 * The call was answered as the protocol answers: a result element, or a SOAP fault (HTTP 500) over
 * SOAP, or HTTP 400 over GET and POST. Returns the result's `success`, undefined for a refusal.
 */
export function answered(protocol: Protocol, reply: HttpReply): string | undefined {
  if (reply.status === 200) return resultOf(reply.body).attrs.success ?? 'false';
  if (protocol === 'soap11' || protocol === 'soap12') {
    expect([reply.status, reply.body]).toEqual([500, expect.stringMatching(/<(\w+:)?Fault>/)]);
  } else {
    expect(reply.status).toBe(400);
  }
  return undefined;
}

export async function postSoapBytes(url: string, version: SoapVersion, op: string, body: Uint8Array): Promise<HttpReply> {
  const action = `${TEMPURI}${op}`;
  const headers: Record<string, string> =
    version === '1.1' ? { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: `"${action}"` } : { 'Content-Type': `application/soap+xml; charset=utf-8; action="${action}"` };
  const response = await fetch(url, { method: 'POST', headers, body: new Uint8Array(body) });
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', body: await response.text() };
}

/** Sends `request` on a new socket and collects everything until the server closes it. */
export function rawRequest(url: string, request: string | Buffer): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(request));
    const received: Buffer[] = [];
    socket.on('data', (data: Buffer) => received.push(data));
    socket.on('close', () => resolve(Buffer.concat(received).toString('latin1')));
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' || error.code === 'EPIPE' ? undefined : reject(error)));
  });
}

export interface LorisOutcome {
  /** The server closed the connection before the trickle ran out. */
  readonly closedByServer: boolean;
  readonly reply: string;
}

const TRICKLE_MS = 50;
const MAX_TRICKLES = 100;

/** Sends `head`, then one byte of `drip` every 50 ms, at most 100 times, and never completes the request. */
export function slowLoris(url: string, head: string, drip: string): Promise<LorisOutcome> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    let trickles = 0;
    let timer: NodeJS.Timeout | undefined;
    const received: Buffer[] = [];
    const socket = connect(Number(port), hostname, () => {
      socket.write(head);
      timer = setInterval(() => {
        if (++trickles > MAX_TRICKLES) return socket.destroy();
        socket.write(drip);
      }, TRICKLE_MS);
    });
    socket.on('data', (data: Buffer) => received.push(data));
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ closedByServer: trickles <= MAX_TRICKLES, reply: Buffer.concat(received).toString('latin1') });
    });
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' || error.code === 'EPIPE' ? undefined : reject(error)));
  });
}
