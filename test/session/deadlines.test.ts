// Every attempt of a call shares the call's one time limit, the login's too: against a server that
// accepts requests and never answers, a call retries within timeoutMs and then ends, however many
// retries it had left.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SrvSession, TimeoutError } from '../../src/index.js';

const TIMEOUT_MS = 1500;
/** Each attempt stalls this long before its idle limit ends it: six of them would take 4.2 s. */
const IDLE_MS = 700;
const RETRY = { retries: 5, minDelayMs: 1, maxDelayMs: 2 };

let server: http.Server;
let url: string;
let requests = 0;

beforeAll(async () => {
  server = http.createServer((request) => {
    requests += 1;
    request.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/srv.asmx`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  requests = 0;
});

test('a login against a stalled server is retried within its one time limit, then ends', async () => {
  const started = performance.now();
  const error = await SrvSession.login({ url, user: 'demo', password: 'demo', timeoutMs: TIMEOUT_MS, idleTimeoutMs: IDLE_MS, retry: RETRY }).catch((e: unknown) => e);
  const elapsed = performance.now() - started;
  expect(error).toBeInstanceOf(TimeoutError);
  expect(requests).toBeGreaterThan(1);
  expect(requests).toBeLessThan(RETRY.retries + 1);
  // Generous: the bound is the time limit plus the last attempt's wind-down, never six idle limits.
  expect(elapsed).toBeLessThan(TIMEOUT_MS + IDLE_MS);
});

test('a call of a session against a stalled server ends within its time limit too', async () => {
  const session = await SrvSession.fromTicket({ url, ticket: '00000000-0000-4000-8000-000000000001', timeoutMs: TIMEOUT_MS, idleTimeoutMs: IDLE_MS, retry: RETRY });
  try {
    const started = performance.now();
    const error = await session.exists('/Public/report.pdf').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(requests).toBeGreaterThan(1);
    expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + IDLE_MS);
  } finally {
    session.client.close();
  }
});
