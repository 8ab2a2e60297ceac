// Test certificates made with the openssl command: a private CA and, signed by it, a server
// certificate for 127.0.0.1, an expired one, one for another host, and a client certificate.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const openssl = (args: string[], cwd: string) => promisify(execFile)('openssl', args, { cwd });

export interface Pem {
  cert: Buffer;
  key: Buffer;
  certFile: string;
  keyFile: string;
}

export interface TestCertificates {
  dir: string;
  ca: Pem;
  server: Pem;
  expired: Pem;
  wrongHost: Pem;
  client: Pem;
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

async function pem(dir: string, name: string): Promise<Pem> {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  return { cert: await readFile(certFile), key: await readFile(keyFile), certFile, keyFile };
}

async function signed(dir: string, name: string, subjectAltName: string, days: number): Promise<Pem> {
  await openssl(['req', ...EC_KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`], dir);
  await writeFile(join(dir, `${name}.ext`), `subjectAltName=${subjectAltName}\n`);
  await openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', String(days), '-extfile', `${name}.ext`], dir);
  return pem(dir, name);
}

export async function makeCertificates(): Promise<TestCertificates> {
  const dir = await mkdtemp(join(tmpdir(), 'srv-certs-'));
  await openssl(['req', '-x509', ...EC_KEY, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=srv-asmx test CA'], dir);
  return {
    dir,
    ca: await pem(dir, 'ca'),
    server: await signed(dir, 'server', 'IP:127.0.0.1,DNS:localhost', 2),
    // A notAfter before its notBefore: expired from the start.
    expired: await signed(dir, 'expired', 'IP:127.0.0.1,DNS:localhost', -1),
    wrongHost: await signed(dir, 'wrong-host', 'DNS:elsewhere.invalid', 2),
    client: await signed(dir, 'client', 'DNS:client.invalid', 2),
  };
}
