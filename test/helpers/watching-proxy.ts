// An HTTP proxy in front of a real server (the emulator) that watches the client's DownloadFileChunk
// calls: which offsets it asks for, how many are in flight at once, and, when told, holds a reply
// back, so that replies come in another order than the requests.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

export interface WatchingProxy {
  readonly url: string;
  /** StartOffset of each DownloadFileChunk, in the order the requests came. */
  readonly offsets: number[];
  /** The most DownloadFileChunk calls that were in flight at the same time. */
  readonly maxInFlight: number;
  /** How long to hold the reply to the chunk at this offset back (default none). */
  holdBack: (offset: number) => number;
  /** Told of each DownloadFileChunk request as it comes. */
  onRequest: (offset: number) => void;
  /** Forgets what it saw. */
  reset(): void;
  close(): Promise<void>;
}

export async function startWatchingProxy(target: string): Promise<WatchingProxy> {
  const upstream = new URL(target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  let inFlight = 0;
  const watched = {
    offsets: [] as number[],
    maxInFlight: 0,
    holdBack: (_offset: number) => 0,
    onRequest: (_offset: number) => undefined as void,
  };
  const server = http.createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', async () => {
      const body = Buffer.concat(parts);
      const offset = /<StartOffset>(\d+)<\/StartOffset>/.exec(body.toString('latin1'))?.[1];
      const isChunk = offset !== undefined && /DownloadFileChunk/.test(String(request.headers['soapaction'] ?? request.headers['content-type']));
      if (isChunk) {
        watched.offsets.push(Number(offset));
        watched.onRequest(Number(offset));
        watched.maxInFlight = Math.max(watched.maxInFlight, ++inFlight);
      }
      const reply = await forward(upstream, agent, request, body);
      if (isChunk) {
        await delay(watched.holdBack(Number(offset)));
        inFlight -= 1;
      }
      response.writeHead(reply.status, reply.headers).end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(watched, {
    url: `http://127.0.0.1:${port}${upstream.pathname}`,
    reset: () => {
      watched.offsets.length = 0;
      watched.maxInFlight = 0;
    },
    close: async () => {
      agent.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  });
}

function forward(upstream: URL, agent: http.Agent, request: http.IncomingMessage, body: Buffer): Promise<{ status: number; headers: http.OutgoingHttpHeaders; body: Buffer }> {
  const headers = { ...request.headers, host: upstream.host, 'content-length': String(body.length) };
  return new Promise((resolve, reject) => {
    const outgoing = http.request({ host: upstream.hostname, port: upstream.port, path: request.url, method: request.method, headers, agent }, (reply) => {
      const parts: Buffer[] = [];
      reply.on('data', (part: Buffer) => parts.push(part));
      reply.on('end', () => {
        const { connection: _connection, 'transfer-encoding': _encoding, ...rest } = reply.headers;
        const replyBody = Buffer.concat(parts);
        resolve({ status: reply.statusCode ?? 502, headers: { ...rest, 'content-length': String(replyBody.length) }, body: replyBody });
      });
      reply.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}
