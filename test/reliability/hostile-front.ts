// What stands in front of a service in production, for a lane of the fault matrix: a balancer that
// pins a session by cookie and refuses every call but a login that comes without it (ARRAffinity),
// dynamic compression of every reply (gzip, asked for or not, as IIS does), and connections closed
// after a short idle time, so that the client meets the keep-alive race.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';

const COOKIE = 'ARRAffinity';
/** Far shorter than the client keeps a connection idle: the race happens. */
const KEEP_ALIVE_MS = 40;

export interface HostileFront {
  readonly url: string;
  /** Calls refused for coming without the session's cookie. */
  readonly refused: number;
  close(): Promise<void>;
}

export async function hostileFront(service: string): Promise<HostileFront> {
  const target = new URL(service);
  let refused = 0;
  let sessions = 0;
  const server = http.createServer((request, response) => {
    const login = /AuthenticateUser/.test(`${request.headers['soapaction'] ?? ''} ${request.url ?? ''} ${request.headers['content-type'] ?? ''}`);
    const pinned = new RegExp(`(?:^|;\\s*)${COOKIE}=`).test(request.headers.cookie ?? '');
    if (!pinned && !login) {
      refused += 1;
      request.resume();
      response.writeHead(503, { 'Content-Type': 'text/html' });
      return response.end('<html><body>503: no affinity cookie</body></html>');
    }
    const forwarded = http.request({ host: target.hostname, port: target.port, path: request.url, method: request.method, headers: { ...request.headers, host: target.host } }, (reply) => {
      const headers: http.OutgoingHttpHeaders = { ...reply.headers, 'content-encoding': 'gzip' };
      delete headers['content-length'];
      if (!pinned) headers['set-cookie'] = [`${COOKIE}=node-${(sessions += 1)}; Path=/; HttpOnly`];
      response.writeHead(reply.statusCode ?? 502, headers);
      reply.pipe(zlib.createGzip()).pipe(response);
    });
    forwarded.on('error', () => response.destroy());
    request.pipe(forwarded);
  });
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${target.pathname}`,
    get refused() {
      return refused;
    },
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
