// A load balancer that pins a client to a node by cookie, as Azure App Service and IIS ARR do with
// ARRAffinity: a request without the cookie goes to the next node in turn, and its reply sets the
// cookie naming that node; a request with it goes to that node.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StickyBalancer {
  /** The service's URL through the balancer. */
  readonly url: string;
  /** Requests each node was sent, in node order. */
  readonly served: number[];
  close(): Promise<void>;
}

const COOKIE = 'ARRAffinity';

export async function stickyBalancer(nodes: readonly string[]): Promise<StickyBalancer> {
  const targets = nodes.map((node) => new URL(node));
  const served = targets.map(() => 0);
  let turn = 0;
  const server = http.createServer((request, response) => {
    const pinned = new RegExp(`(?:^|;\\s*)${COOKIE}=(\\d+)`).exec(request.headers.cookie ?? '')?.[1];
    const index = pinned === undefined ? turn++ % targets.length : Number(pinned);
    const target = targets[index] as URL;
    served[index] = (served[index] ?? 0) + 1;
    const forwarded = http.request({ host: target.hostname, port: target.port, path: request.url, method: request.method, headers: { ...request.headers, host: target.host } }, (reply) => {
      const headers = { ...reply.headers };
      if (pinned === undefined) headers['set-cookie'] = [...(reply.headers['set-cookie'] ?? []), `${COOKIE}=${index}; Path=/; HttpOnly`];
      response.writeHead(reply.statusCode ?? 502, headers);
      reply.pipe(response);
    });
    forwarded.on('error', () => response.destroy());
    request.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const path = targets[0]?.pathname ?? '/srv.asmx';
  return {
    url: `http://127.0.0.1:${port}${path}`,
    served,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
