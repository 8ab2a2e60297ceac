// HTTPS against the emulator served with certificates made here: a private CA, a client
// certificate, and the certificates that must be refused (expired, another host) unless the
// caller explicitly opts out of checking.
import { rm } from 'node:fs/promises';
import { startEmulator, type EmulatorTls, type RunningEmulator } from '../../src/emulator/index.js';
import { CertificateError, createSrvClient, SrvSession, type TlsOptions } from '../../src/index.js';
import { makeCertificates, type TestCertificates } from '../helpers/certificates.js';
import { runCli } from '../helpers/run-cli.js';

let certs: TestCertificates;
const running: RunningEmulator[] = [];

beforeAll(async () => {
  certs = await makeCertificates();
});
afterAll(async () => {
  await Promise.all(running.map((e) => e.close()));
  await rm(certs.dir, { recursive: true, force: true });
});

async function emulatorWith(tls: EmulatorTls): Promise<RunningEmulator> {
  const emulator = await startEmulator({ tls });
  running.push(emulator);
  return emulator;
}

async function serverInfo(url: string, tls?: TlsOptions): Promise<string | undefined> {
  const client = await createSrvClient({ url, ...(tls && { tls }) });
  try {
    return (await client.ServerInfo()).VersionNumber;
  } finally {
    client.close();
  }
}

describe('a server certificate from a private CA', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await emulatorWith({ cert: certs.server.cert, key: certs.server.key });
  });

  test('is trusted with the CA, and a whole upload and download work over it', async () => {
    expect(emulator.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/srv\.asmx$/);
    const session = await SrvSession.login({ url: emulator.url, user: 'demo', password: 'demo', tls: { ca: certs.ca.cert } });
    const bytes = Buffer.alloc(300_000, 3);
    await session.upload(bytes, '/Public/tls.bin', { chunkSize: 262_144 });
    const chunks: Buffer[] = [];
    const { Writable } = await import('node:stream');
    await session.download('/Public/tls.bin', new Writable({ write: (c: Buffer, _e, done) => (chunks.push(c), done()) }));
    await session.close();
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
  });

  test("tls.ca adds to Node's trust store and NODE_EXTRA_CA_CERTS, never replaces them", async () => {
    const other = await makeCertificates();
    const before = process.env['NODE_EXTRA_CA_CERTS'];
    process.env['NODE_EXTRA_CA_CERTS'] = certs.ca.certFile;
    try {
      await expect(serverInfo(emulator.url, { ca: other.ca.cert })).resolves.toEqual(expect.any(String));
    } finally {
      if (before === undefined) delete process.env['NODE_EXTRA_CA_CERTS'];
      else process.env['NODE_EXTRA_CA_CERTS'] = before;
      await rm(other.dir, { recursive: true, force: true });
    }
    await expect(serverInfo(emulator.url, { ca: other.ca.cert })).rejects.toBeInstanceOf(CertificateError);
  });

  test('is refused without the CA, naming tls.ca as the fix, and accepted only when checking is explicitly turned off', async () => {
    const error = await serverInfo(emulator.url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CertificateError);
    expect((error as Error).message).toMatch(/certificate/i);
    expect((error as Error).message).toMatch(/trust it with tls\.ca/);
    await expect(serverInfo(emulator.url, { rejectUnauthorized: false })).resolves.toEqual(expect.any(String));
  });
});

describe.each([
  ['expired', () => certs.expired, /expired/i],
  ['for another host', () => certs.wrongHost, /altnames|hostname|IP/i],
])('a certificate %s', (_what, pem, message) => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await emulatorWith({ cert: pem().cert, key: pem().key });
  });

  test('is refused even with the CA trusted', async () => {
    const error = await serverInfo(emulator.url, { ca: certs.ca.cert }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CertificateError);
    expect((error as Error).message).toMatch(message);
  });

  test('is accepted with rejectUnauthorized: false (the CLI --insecure)', async () => {
    await expect(serverInfo(emulator.url, { ca: certs.ca.cert, rejectUnauthorized: false })).resolves.toEqual(expect.any(String));
  });
});

describe('a server that requires a client certificate', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await emulatorWith({ cert: certs.server.cert, key: certs.server.key, clientCa: certs.ca.cert });
  });

  test('refuses a client without one and accepts one signed by its CA', async () => {
    await expect(serverInfo(emulator.url, { ca: certs.ca.cert })).rejects.toBeInstanceOf(CertificateError);
    await expect(serverInfo(emulator.url, { ca: certs.ca.cert, cert: certs.client.cert, key: certs.client.key })).resolves.toEqual(expect.any(String));
  });
});

describe('the command line', () => {
  const cli = (args: string[], url: string) => runCli(args, { env: { SRV_ASMX_URL: url, SRV_ASMX_USER: 'demo', SRV_ASMX_PASSWORD: 'demo' } });
  test('--ca trusts a private CA; without it the connection fails; --insecure works with a warning', async () => {
    const emulator = await emulatorWith({ cert: certs.server.cert, key: certs.server.key });
    expect((await cli(['exists', '/Public/none', '--ca', certs.ca.certFile], emulator.url)).code).toBe(10);
    const refused = await cli(['exists', '/Public/none'], emulator.url);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/certificate/i);
    // The fix in the command line's words, never the library's option.
    expect(refused.stderr).toMatch(/trust it with --ca/);
    expect(refused.stderr).not.toMatch(/tls\.ca/);
    const insecure = await cli(['exists', '/Public/none', '--insecure'], emulator.url);
    expect(insecure.code).toBe(10);
    expect(insecure.stderr).toMatch(/--insecure: TLS certificates are not checked/);
    expect(insecure.stderr).not.toMatch(/certificate (has expired|verify|signature)/i);
  });

  test("--ca adds to Node's trust store and NODE_EXTRA_CA_CERTS, never replaces them; SRV_ASMX_CA does the same", async () => {
    const other = await makeCertificates();
    try {
      const emulator = await emulatorWith({ cert: certs.server.cert, key: certs.server.key });
      const env = { SRV_ASMX_URL: emulator.url, SRV_ASMX_USER: 'demo', SRV_ASMX_PASSWORD: 'demo', NODE_EXTRA_CA_CERTS: certs.ca.certFile };
      for (const run of [
        await runCli(['exists', '/Public/none', '--ca', other.ca.certFile], { env }),
        await runCli(['exists', '/Public/none'], { env: { ...env, SRV_ASMX_CA: other.ca.certFile } }),
      ]) {
        expect(run.stderr).not.toMatch(/certificate/i);
        expect(run.code).toBe(10);
      }
    } finally {
      await rm(other.dir, { recursive: true, force: true });
    }
  });

  test('--cert and --key present a client certificate', async () => {
    const emulator = await emulatorWith({ cert: certs.server.cert, key: certs.server.key, clientCa: certs.ca.cert });
    expect((await cli(['exists', '/Public/none', '--ca', certs.ca.certFile], emulator.url)).code).toBe(1);
    const withCert = await cli(['exists', '/Public/none', '--ca', certs.ca.certFile, '--cert', certs.client.certFile, '--key', certs.client.keyFile, '--json'], emulator.url);
    expect(withCert.code).toBe(10);
    expect(withCert.stderr).toBe('');
  });
});
