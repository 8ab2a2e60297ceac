// What `tls.ca` means: CAs trusted in addition to the ones Node trusts anyway (its own store and
// NODE_EXTRA_CA_CERTS). Node's own `ca` option replaces them, which would make a private CA the
// only one trusted, and a proxy's or a public server's certificate fail.
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import type { TlsOptions } from './transport-options.js';

/** The options with `ca` as Node's trust store, NODE_EXTRA_CA_CERTS, and then the CAs given. */
export function withTrustStore(tls: TlsOptions): TlsOptions {
  if (tls.ca === undefined) return tls;
  const added = Array.isArray(tls.ca) ? tls.ca : [tls.ca];
  return { ...tls, ca: [...rootCertificates, ...extraCaCertificates(), ...added] };
}

/** What NODE_EXTRA_CA_CERTS names; one that cannot be read is left out, as Node leaves it out (with its own warning). */
function extraCaCertificates(): Buffer[] {
  const file = process.env['NODE_EXTRA_CA_CERTS'];
  if (file === undefined || file === '') return [];
  try {
    return [readFileSync(file)];
  } catch {
    return [];
  }
}
