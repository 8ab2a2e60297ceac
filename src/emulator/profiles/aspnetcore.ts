/**
 * The `aspnetcore` profile: the service on ASP.NET Core, served by Kestrel (alone, or behind IIS), with
 * KestrelServerLimits at their documented defaults. Results, in-band errors and the GET/POST controller actions are
 * the documented profile's; what differs is the web server: its limits, its timeouts and its refusals.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** KestrelServerLimits' defaults, as Microsoft documents them. */
export const KESTREL_LIMITS = {
  /** MaxRequestBodySize: a larger body is refused with HTTP 413. */
  maxRequestBodySize: 30_000_000,
  /** MinRequestBodyDataRate: a body arriving slower, once the grace period is over, has its connection cut. */
  minRequestBodyDataRate: { bytesPerSecond: 240, gracePeriodMs: 5_000 },
  /** KeepAliveTimeout: how long an idle connection stays open. */
  keepAliveTimeoutMs: 130_000,
  /** MaxRequestHeadersTotalSize: larger headers get HTTP 431. */
  maxRequestHeadersTotalSize: 32_768,
  /** MaxRequestLineSize: a longer request line gets HTTP 414. */
  maxRequestLineSize: 8_192,
} as const;

/** Kestrel's Server header. */
export const KESTREL_SERVER = 'Kestrel';

/** Kestrel checks the data rate once a second. */
const RATE_CHECK_MS = 1_000;

/** The request line as it came, `GET /srv.asmx/Op?… HTTP/1.1`, for MaxRequestLineSize. */
export const requestLineLength = (request: IncomingMessage): number =>
  `${request.method ?? ''} ${request.url ?? ''} HTTP/${request.httpVersion}`.length;

/**
 * Kestrel's minimum request body data rate: once the grace period is over, a body whose average rate since it began
 * is below the minimum is timed out. Kestrel answers HTTP 408 when the reply has not begun, and closes the connection
 * either way. The watch ends when the body is complete, or the exchange is over.
 */
/** How long a connection cut for its data rate may still deliver its last bytes before it is destroyed. */
const LINGER_MS = 2_000;

export function watchBodyRate(request: IncomingMessage, response: ServerResponse): void {
  const { bytesPerSecond, gracePeriodMs } = KESTREL_LIMITS.minRequestBodyDataRate;
  const socket = request.socket;
  const started = Date.now();
  const readBefore = socket.bytesRead;
  const timer = setInterval(() => {
    if (request.complete || response.writableEnded || socket.destroyed) return clearInterval(timer);
    const elapsedMs = Date.now() - started;
    if (elapsedMs <= gracePeriodMs || ((socket.bytesRead - readBefore) * 1000) / elapsedMs >= bytesPerSecond) return;
    clearInterval(timer);
    if (!response.headersSent) {
      // The rest of the body is read and dropped, and the connection closed with a FIN once the 408
      // is written: closing it with unread bytes would send an RST, which may lose the 408 on the way.
      request.resume();
      response.writeHead(408, { 'Content-Length': 0, Connection: 'close', Server: KESTREL_SERVER });
      response.end(() => {
        socket.end();
        setTimeout(() => socket.destroy(), LINGER_MS).unref();
      });
    } else socket.destroy();
  }, RATE_CHECK_MS);
  timer.unref();
  response.once('close', () => clearInterval(timer));
}
