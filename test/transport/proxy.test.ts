// An HTTP(S) proxy from the standard environment variables, through a local proxy server:
// plain HTTP goes as absolute-URL requests, HTTPS as a CONNECT tunnel; NO_PROXY and
// `proxy: false` bypass it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { rm } from 'node:fs/promises';
import { createProxy, type ProxyServer } from 'proxy';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { createSrvClient, SrvSession, type SrvClientOptions } from '../../src/index.js';
import { makeCertificates, type TestCertificates } from '../helpers/certificates.js';
import { runCli } from '../helpers/run-cli.js';

const PROXY_VARIABLES = ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy'];
let proxy: ProxyServer;
let proxyUrl: string;
const seen = { requests: 0, tunnels: 0 };
let plain: RunningEmulator;
let secure: RunningEmulator;
let certs: TestCertificates;
const savedEnvironment = new Map(PROXY_VARIABLES.map((name) => [name, process.env[name]]));

beforeAll(async () => {
  proxy = createProxy(http.createServer());
  proxy.on('request', () => seen.requests++);
  proxy.on('connect', () => seen.tunnels++);
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  certs = await makeCertificates();
  plain = await startEmulator();
  secure = await startEmulator({ tls: { cert: certs.server.cert, key: certs.server.key } });
});
beforeEach(() => {
  for (const name of PROXY_VARIABLES) delete process.env[name];
  seen.requests = 0;
  seen.tunnels = 0;
});
afterAll(async () => {
  for (const [name, value] of savedEnvironment) if (value === undefined) delete process.env[name]; else process.env[name] = value;
  await Promise.all([plain.close(), secure.close()]);
  proxy.closeAllConnections();
  await new Promise((resolve) => proxy.close(resolve));
  await rm(certs.dir, { recursive: true, force: true });
});

async function roundTrip(options: Omit<SrvClientOptions, 'url'> & { url: string }): Promise<void> {
  const session = await SrvSession.login({ ...options, user: 'demo', password: 'demo' });
  const bytes = Buffer.alloc(300_000, 9);
  await session.upload(bytes, '/Public/proxied.bin', { chunkSize: 262_144 });
  await session.close();
}

test('HTTP_PROXY carries plain HTTP as absolute-URL requests through the proxy', async () => {
  process.env['HTTP_PROXY'] = proxyUrl;
  await roundTrip({ url: plain.url });
  expect(seen.requests).toBeGreaterThanOrEqual(6);
  expect((await plain.readDocument('/Public/proxied.bin')).length).toBe(300_000);
});

test('HTTPS_PROXY carries HTTPS through a CONNECT tunnel, with the private CA still checked', async () => {
  process.env['HTTPS_PROXY'] = proxyUrl;
  await roundTrip({ url: secure.url, tls: { ca: certs.ca.cert } });
  expect(seen.tunnels).toBeGreaterThanOrEqual(1);
  expect(seen.requests).toBe(0);
  const client = await createSrvClient({ url: secure.url });
  await expect(client.ServerInfo()).rejects.toMatchObject({ name: 'CertificateError' });
  client.close();
});

test('NO_PROXY and proxy: false bypass the proxy', async () => {
  process.env['HTTP_PROXY'] = proxyUrl;
  process.env['NO_PROXY'] = '127.0.0.1';
  await roundTrip({ url: plain.url });
  delete process.env['NO_PROXY'];
  await roundTrip({ url: plain.url, proxy: false });
  expect(seen.requests).toBe(0);
});

test('the command line honours HTTPS_PROXY', async () => {
  const env = { HTTPS_PROXY: proxyUrl, SRV_ASMX_URL: secure.url, SRV_ASMX_USER: 'demo', SRV_ASMX_PASSWORD: 'demo' };
  const run = await runCli(['exists', '/Public/none', '--ca', certs.ca.certFile], { env });
  expect(run.code).toBe(10);
  expect(seen.tunnels).toBeGreaterThanOrEqual(1);
});
