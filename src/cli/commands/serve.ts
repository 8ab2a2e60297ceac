import { once } from 'node:events';
import { InvalidArgumentError } from 'commander';
import type { Command } from 'commander';
import { EmulatorStartError, FAULT_SPEC_HELP, MAX_DOCUMENT_SIZE, parseFaultSpec, PROFILE_NAMES, startEmulator } from '../../emulator/index.js';
import type { EmulatorOptions, EmulatorTls, EmulatorUser, FaultRule, ProfileName } from '../../emulator/index.js';
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { wholeNumber } from '../arguments.js';
import { EXIT } from '../exit-codes.js';
import { usageHint } from '../messages.js';
import { stderr, stdout } from '../output.js';
import { SERVE_SUMMARY } from './serve-summary.js';

interface ServeOptions {
  profile: ProfileName;
  maxRequestLength?: number;
  port: number;
  host: string;
  dataDir?: string;
  library?: string[];
  user?: EmulatorUser[];
  faults?: FaultRule[];
  seed?: number;
  chunkSize?: number;
  maxBody?: number;
  uploadLimit?: number;
  documentMaxSize?: number;
  soap12: boolean;
  filehexcrc: boolean;
  refuseConcurrentReads?: boolean;
  oneConnection?: boolean;
  verbose?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  tlsClientCa?: string;
}

function account(value: string, previous: EmulatorUser[] = []): EmulatorUser[] {
  const separator = value.indexOf(':');
  if (separator <= 0) throw new InvalidArgumentError('expected USER:PASSWORD');
  return [...previous, { user: value.slice(0, separator), password: value.slice(separator + 1) }];
}

function faultRules(value: string): FaultRule[] {
  try {
    return parseFaultSpec(value);
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
}

function profileName(value: string): ProfileName {
  const profile = PROFILE_NAMES.find((name) => name === value);
  if (profile === undefined) throw new InvalidArgumentError(`expected one of ${PROFILE_NAMES.join(', ')}`);
  return profile;
}

function positiveKb(value: string): number {
  const kb = wholeNumber(value);
  if (kb === 0) throw new InvalidArgumentError('expected a whole number of KB above 0');
  return kb;
}

function positiveBytes(value: string): number {
  const bytes = wholeNumber(value);
  if (bytes === 0) throw new InvalidArgumentError('expected a whole number of bytes above 0');
  return bytes;
}

function documentSize(value: string): number {
  const bytes = positiveBytes(value);
  if (bytes > MAX_DOCUMENT_SIZE) throw new InvalidArgumentError(`expected at most ${MAX_DOCUMENT_SIZE} bytes, the most the service allows`);
  return bytes;
}

/** A mistake in how serve was called, found once its options are read: exit code 2. */
class ServeUsageError extends Error {}

/** A PEM file an option names; one that cannot be read is a usage error that names the option. */
function pemFile(option: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ServeUsageError(`${option}: cannot read ${file}${code === undefined ? '' : ` (${code})`}`);
  }
}

function tlsOf(options: ServeOptions): EmulatorTls | undefined {
  if (options.tlsCert === undefined && options.tlsKey === undefined) return undefined;
  if (options.tlsCert === undefined || options.tlsKey === undefined) throw new ServeUsageError('--tls-cert and --tls-key go together');
  return {
    cert: pemFile('--tls-cert', options.tlsCert),
    key: pemFile('--tls-key', options.tlsKey),
    ...(options.tlsClientCa !== undefined && { clientCa: pemFile('--tls-client-ca', options.tlsClientCa) }),
  };
}

function emulatorOptions(options: ServeOptions): EmulatorOptions {
  const tls = tlsOf(options);
  return {
    ...(tls !== undefined && { tls }),
    profile: options.profile,
    ...(options.maxRequestLength !== undefined && { maxRequestLengthKb: options.maxRequestLength }),
    port: options.port,
    host: options.host,
    soap12: options.soap12,
    fileHexCrc: options.filehexcrc,
    ...(options.refuseConcurrentReads === true && { concurrentChunkReads: 'refuse' }),
    ...(options.oneConnection === true && { oneConnection: true }),
    ...(options.dataDir !== undefined && { dataDir: options.dataDir }),
    ...(options.library !== undefined && { libraries: options.library }),
    ...(options.user !== undefined && { users: options.user }),
    ...(options.faults !== undefined && { faults: options.faults }),
    ...(options.seed !== undefined && { seed: options.seed }),
    ...(options.chunkSize !== undefined && { defaultChunkSize: options.chunkSize }),
    ...(options.maxBody !== undefined && { maxBodyBytes: options.maxBody }),
    ...(options.uploadLimit !== undefined && { uploadLimit: options.uploadLimit }),
    ...(options.documentMaxSize !== undefined && { documentMaxSize: options.documentMaxSize }),
    ...(options.verbose === true && { log: (line: string) => stderr.write(`${line}
`) }),
  };
}

/** The one line a failure to serve ends with, and its exit code: 2 for a usage error, 1 for anything else. */
function failure(error: unknown): { line: string; exitCode: number } {
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
  if (error instanceof ServeUsageError) return { line: message, exitCode: EXIT.usage };
  if (error instanceof EmulatorStartError && error.code === 'DATA_DIR_NOT_A_DIRECTORY') return { line: `--data-dir: ${message}`, exitCode: EXIT.usage };
  return { line: message, exitCode: EXIT.failure };
}

/** Runs the emulator until SIGINT or SIGTERM; the first line on stdout is its URL. A failure ends with one line on stderr, never a stack trace. */
async function serveOrFail(options: ServeOptions): Promise<void> {
  try {
    await serve(options);
  } catch (error) {
    const { line, exitCode } = failure(error);
    stderr.write(`srv-asmx serve: ${line}\n${exitCode === EXIT.usage ? `${usageHint('srv-asmx serve')}\n` : ''}`);
    process.exitCode = exitCode;
  }
}

async function serve(options: ServeOptions): Promise<void> {
  const emulator = await startEmulator(emulatorOptions(options));
  stdout.write(`${emulator.url}\n`);
  stderr.write(
    `srv-asmx emulator (profile ${options.profile}): data in ${emulator.dataDir}; WSDL at ${emulator.url}?WSDL; health at ${new URL('/__emulator/health', emulator.url).href}; stop with Ctrl+C\n`,
  );
  for (const url of otherAddresses(emulator.url, options.host)) stderr.write(`  also reachable at ${url}\n`);
  const stop = new AbortController();
  await Promise.race(['SIGINT', 'SIGTERM', 'SIGHUP'].map((signal) => once(process, signal, { signal: stop.signal })));
  stop.abort();
  await emulator.close();
}

/** On every interface (0.0.0.0, ::), the URL printed goes through the loopback; other hosts (containers) use these. */
function otherAddresses(url: string, host: string): string[] {
  if (host !== '0.0.0.0' && host !== '::') return [];
  const addresses = Object.values(networkInterfaces())
    .flat()
    .filter((address) => address !== undefined && !address.internal && (host === '::' || address.family === 'IPv4'));
  return addresses.map((address) => {
    const other = new URL(url);
    other.hostname = address?.family === 'IPv6' ? `[${address.address}]` : (address?.address ?? '');
    return other.href;
  });
}

const PROFILE_HELP = `Profiles (--profile):
  documented    every documented attribute; SystemError: in-band; HTTP 413 over --max-body
                (the default)
  minimal       successful results carry only the attributes a client cannot do without
                (no filehexcrc, no error="", no profile, dates or ServerInfo details)
  classic-asmx  a .NET Framework ASMX endpoint: unhandled errors as soap:Server faults with a
                stack trace (HTTP 500, Connection: close), "Maximum request length exceeded." over
                --max-request-length, HTTP 400 with an empty body for malformed XML, xmlns="" last
  aspnetcore    the documented service on ASP.NET Core's Kestrel, with its default limits: HTTP 413
                with an empty body over 30,000,000 bytes (--max-body), a body slower than
                240 bytes/s after 5 s cut off (HTTP 408), keep-alive 130 s, headers within 30 s
                and 32 KB`;

/** Adds `serve`: a local emulator of the /srv.asmx service, for CI pipelines and demos. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(SERVE_SUMMARY)
    .option('--profile <name>', `the server to behave like: ${PROFILE_NAMES.join(', ')}`, profileName, 'documented')
    .option('--max-request-length <kb>', 'classic-asmx: maxRequestLength in KB (default 4096)', positiveKb)
    .option('--port <n>', 'port to listen on; 0 picks a free one', wholeNumber, 0)
    .option('--host <address>', 'interface to listen on', '127.0.0.1')
    .option('--data-dir <dir>', 'keep documents here across restarts (default: a temporary directory, removed on exit)')
    .option('--library <name...>', 'top-level libraries; repeatable (default: Public)')
    .option('--user <user:password...>', 'accounts; repeatable (default: demo:demo)', account)
    .option('--faults <spec>', 'fault rules to inject (syntax below)', faultRules)
    .option('--seed <n>', 'seed of the random fault rules (default 1)', wholeNumber)
    .option('--chunk-size <bytes>', 'chunk size granted for PreferedChunkSize=0 (default 1048576)', wholeNumber)
    .option('--max-body <bytes>', 'larger requests get HTTP 413 (default 67108864, aspnetcore 30000000; not classic-asmx)', wholeNumber)
    .option('--upload-limit <bytes>', "FILEUPLOADLIMIT of getApplicationParameters; a larger upload is refused when it is finalized (default 1072693248)", positiveBytes)
    .option('--document-max-size <bytes>', 'DocumentMaxSize of GetGeneralAppSettings, 1048576..1073741824 (less is raised to 1048576); a larger upload is refused when it is finalized (default 1073741824)', documentSize)
    .option('--no-soap12', 'answer SOAP 1.2 requests like an endpoint without it (HTTP 415)')
    .option('--no-filehexcrc', 'leave filehexcrc out of the last UploadFileChunk reply')
    .option('--refuse-concurrent-reads', 'fail a DownloadFileChunk while another of its handler is answered, as a server with one FileStream per handler does (default: each is served)')
    .option('--one-connection', 'serve one connection at a time: each request waits until the one before it is answered, as behind a single worker (default: each is served as it comes)')
    .option('--verbose', 'log each request on stderr (never passwords or tickets)')
    .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM), with --tls-key')
    .option('--tls-key <file>', 'the private key of --tls-cert (PEM)')
    .option('--tls-client-ca <file>', 'require client certificates signed by this CA (PEM)')
    .addHelpText('after', `\n${PROFILE_HELP}\n\n${FAULT_SPEC_HELP}`)
    // A usage error is one line, like every other failure of serve; --help shows the right form.
    .showHelpAfterError(false)
    .configureOutput({ outputError: (text, write) => write(`srv-asmx serve: ${text.replace(/^error: /, '')}`) })
    .action((options: ServeOptions) => serveOrFail(options));
}
