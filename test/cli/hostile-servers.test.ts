// The command line in front of servers that are not the service, or not well: IIS asking for
// Windows authentication, a gateway failing once, a reply built to exhaust memory.
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CLI, runCli } from '../helpers/run-cli.js';

const TICKET = '00000000-0000-4000-8000-000000000001';

interface Served {
  url: string;
  close: () => Promise<void>;
}

/** A local HTTP server answering each request with `answer(n, action)`, n counting from 1. */
async function serve(answer: (n: number, action: string, response: http.ServerResponse) => void): Promise<Served> {
  let n = 0;
  const server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => answer(++n, String(request.headers['soapaction']).replace(/"|http:\/\/tempuri\.org\//g, ''), response));
    response.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/srv.asmx`,
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

function soapReply(response: http.ServerResponse, op: string, inner: string): void {
  response.writeHead(200, { 'Content-Type': 'text/xml; charset=utf-8' });
  response.end(`<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><${op}Response xmlns="http://tempuri.org/"><${op}Result>${inner}</${op}Result></${op}Response></soap:Body></soap:Envelope>`);
}

const env = (url: string) => ({ SRV_ASMX_URL: url, SRV_ASMX_USER: 'demo', SRV_ASMX_PASSWORD: 'demo' });

test('IIS Windows authentication: exit 3, naming the schemes, at once', async () => {
  const server = await serve((_n, _action, response) => {
    response.writeHead(401, { 'Content-Type': 'text/html', 'WWW-Authenticate': ['Negotiate', 'NTLM'] });
    response.end('<html><body>401 - Unauthorized</body></html>');
  });
  const run = await runCli(['exists', '/Public/a.txt', '--json'], { env: env(server.url) });
  await server.close();
  expect(run.code).toBe(3);
  const failure = JSON.parse(run.stdout) as { error: { name: string; message: string } };
  expect(failure.error).toMatchObject({ name: 'HttpAuthenticationError', message: expect.stringMatching(/HTTP authentication \(Negotiate, NTLM\)/) });
  expect(run.stderr).not.toMatch(/retrying/);
});

test('a failure that is retried says so on stderr, numbered', async () => {
  const server = await serve((n, action, response) => {
    if (n === 1) {
      response.writeHead(502, { 'Content-Type': 'text/html' });
      return void response.end('<html><body>502 Bad Gateway</body></html>');
    }
    if (action === 'AuthenticateUser') return soapReply(response, action, `<root xmlns="" success="true" ticket="${TICKET}"/>`);
    if (action === 'DocumentExists') return soapReply(response, action, '<response xmlns="" success="true" CRC32LASTVERSION="0"/>');
    soapReply(response, action, '<root xmlns="" success="true"/>');
  });
  const run = await runCli(['exists', '/Public/a.txt'], { env: env(server.url) });
  await server.close();
  expect(run.code).toBe(0);
  expect(run.stderr).toMatch(/^retrying \(1\/5\): AuthenticateUser: the HTTP 502 reply/m);
});

test('SRV_ASMX_SOAP and SRV_ASMX_TIMEOUT stand for --soap and --timeout; a bad value names the variable', async () => {
  const types: string[] = [];
  const server = await serve((_n, action, response) => {
    types.push(action);
    response.writeHead(401, { 'Content-Type': 'text/html' });
    response.end('no');
  });
  const soap12 = await runCli(['exists', '/Public/a.txt'], { env: { ...env(server.url), SRV_ASMX_SOAP: '1.2' } });
  const bad = await runCli(['exists', '/Public/a.txt'], { env: { ...env(server.url), SRV_ASMX_TIMEOUT: 'soon' } });
  await server.close();
  expect(soap12.code).toBe(3);
  // SOAP 1.2 carries the action in the Content-Type, so there is no SOAPAction header.
  expect(types).toEqual(['undefined']);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/SRV_ASMX_TIMEOUT=soon: expected a positive number of seconds/);
});

test('Ctrl-C while a login waits to retry cancels at once: exit 130', async () => {
  const server = await serve((_n, _action, response) => {
    response.writeHead(503, { 'Content-Type': 'text/html' });
    response.end('<html><body>503 Service Unavailable</body></html>');
  });
  const run = await runCli(['exists', '/Public/a.txt'], { env: env(server.url), interruptWhen: /retrying \(2\/5\)/ });
  await server.close();
  expect(run.code).toBe(130);
  expect(run.stderr).not.toMatch(/retrying \(4\/5\)/);
});

/** Runs the CLI's `exists` against `url`, with its peak RSS (MiB) as it reports it on exit. */
function existsWithPeak(url: string): Promise<{ code: number | null; stdout: string; peakMiB: number }> {
  const hook = 'data:text/javascript,process.on("exit",()=>process.stderr.write("maxrss "+process.resourceUsage().maxRSS+"\\n"))';
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', hook, CLI, 'exists', '/Public/a.txt', '--json'], { env: { PATH: process.env['PATH'] ?? '', ...env(url) } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, peakMiB: Number(/maxrss (\d+)/.exec(stderr)?.[1]) / 1024 }));
  });
}

test('a login reply with a 60 MB attribute: the CLI refuses it with no more memory than a plain run, and does not retry it', async () => {
  const plain = await serve((_n, action, response) => {
    if (action === 'AuthenticateUser') return soapReply(response, action, `<root xmlns="" success="true" ticket="${TICKET}"/>`);
    soapReply(response, action, '<response xmlns="" success="false" error="Document not found"/>');
  });
  const baseline = await existsWithPeak(plain.url);
  await plain.close();

  let requests = 0;
  const server = await serve((_n, _action, response) => {
    requests += 1;
    response.writeHead(200, { 'Content-Type': 'text/xml; charset=utf-8' });
    response.write(`<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><AuthenticateUserResponse xmlns="http://tempuri.org/"><AuthenticateUserResult><root success="true" ticket="${TICKET}" fullname="`);
    const piece = Buffer.alloc(1_048_576, 'a');
    let left = 60;
    const pump = (): void => {
      while (left-- > 0) if (!response.write(piece)) return void response.once('drain', pump);
      response.end('"/></AuthenticateUserResult></AuthenticateUserResponse></soap:Body></soap:Envelope>');
    };
    pump();
  });
  const run = await existsWithPeak(server.url);
  await server.close();
  expect(run.code).toBe(1);
  expect((JSON.parse(run.stdout) as { error: { name: string } }).error.name).toBe('ReplyTooLargeError');
  expect(requests).toBe(1);
  // About 80 MiB on this project's VM either way: the reply is refused at 1 MiB. The bound is set
  // against the same CLI's plain run, since a loaded CI machine moves both alike.
  expect(baseline.peakMiB).toBeGreaterThan(0);
  expect(run.peakMiB - baseline.peakMiB).toBeLessThan(32);
});
