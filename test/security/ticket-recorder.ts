// A pass-through HTTP proxy in front of the emulator that notes every ticket the service hands out
// (`ticket="…"` in a reply), so a test knows each secret it must not find anywhere, tickets issued
// by a new login in the middle of a transfer included. A dropped exchange is dropped on both sides.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TicketRecorder {
  /** The proxy's `/srv.asmx` endpoint. */
  readonly url: string;
  /** Every ticket issued through the proxy so far. */
  tickets(): string[];
  close(): Promise<void>;
}

const TICKET = /\bticket="([^"]+)"/g;

export async function recordTickets(target: string): Promise<TicketRecorder> {
  const upstream = new URL(target);
  const issued = new Set<string>();
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((request, response) => {
    const drop = () => void response.socket?.destroy();
    const forward = http.request(
      { host: upstream.hostname, port: upstream.port, path: request.url, method: request.method, headers: request.headers, agent },
      (reply) => {
        const parts: Buffer[] = [];
        reply.on('data', (part: Buffer) => parts.push(part));
        reply.on('close', () => reply.complete || drop());
        reply.on('end', () => {
          const body = Buffer.concat(parts);
          for (const [, ticket] of body.toString('utf8').matchAll(TICKET)) if (ticket !== undefined) issued.add(ticket);
          response.writeHead(reply.statusCode ?? 502, reply.headers);
          response.end(body);
        });
      },
    );
    forward.on('error', drop);
    request.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/srv.asmx`,
    tickets: () => [...issued],
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
