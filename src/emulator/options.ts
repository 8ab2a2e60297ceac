import type { FaultRule } from './faults.js';

export interface EmulatorUser {
  readonly user: string;
  readonly password: string;
}

/** Serve HTTPS with this certificate; with `clientCa`, also require a client certificate it signed. */
export interface EmulatorTls {
  readonly key: string | Buffer;
  readonly cert: string | Buffer;
  readonly clientCa?: string | Buffer;
}

/**
 * Which server the emulator behaves like (docs/emulator.md#server-profiles):
 * - `documented`: every documented attribute, in-band `SystemError:` replies, HTTP 413 over `maxBodyBytes`.
 * - `minimal`: successful results carry only their load-bearing attributes (no `filehexcrc`, no `error=""`).
 * - `classic-asmx`: a .NET Framework System.Web.Services endpoint: unhandled errors as `soap:Server` faults with
 *   a stack trace, `maxRequestLength` instead of 413, HTTP 400 with an empty body for malformed XML, `xmlns=""`
 *   written last, and ASMX's routing.
 */
export const PROFILE_NAMES = ['documented', 'minimal', 'classic-asmx'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

export function isProfileName(name: string): name is ProfileName {
  return (PROFILE_NAMES as readonly string[]).includes(name);
}

export interface EmulatorOptions {
  /** The server to behave like. Default `documented`. */
  profile?: ProfileName;
  /**
   * `classic-asmx` only: ASP.NET's `httpRuntime/@maxRequestLength`, in KB (1024 bytes). A request over it gets
   * `System.Web.HttpException: Maximum request length exceeded.` (HTTP 500), never 413. Default 4096.
   */
  maxRequestLengthKb?: number;
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /**
   * Documents, versions and folders persist here; it is created if need be, and locked against a second emulator
   * (`emulator.lock`, released by close()). Default: a fresh temporary directory, removed by close().
   */
  dataDir?: string;
  /** Top-level folders that exist from the start. Default `['Public']`. */
  libraries?: readonly string[];
  /** Default: `demo` / `demo`. */
  users?: readonly EmulatorUser[];
  /** A user name that may not obtain tickets (`[902]`). */
  sysadminAccount?: string;
  faults?: readonly FaultRule[];
  /** Seed of the random source of probability fault rules. Default 1. */
  seed?: number;
  /** Sliding ticket lifetime. Default 30 days. */
  ticketTtlMs?: number;
  /** Upload/download handlers expire after this much inactivity. Default 20 minutes. */
  handlerTtlMs?: number;
  /** The chunk size granted for `PreferedChunkSize=0`. Default 1 MiB. */
  defaultChunkSize?: number;
  /** Larger request bodies get HTTP 413. Default 64 MiB (a 32 MiB chunk in base64 fits). Not used by `classic-asmx`. */
  maxBodyBytes?: number;
  /** A request must arrive completely within this time (slow-loris guard). Default 30 s. */
  readTimeoutMs?: number;
  /** false: answer SOAP 1.2 requests like an endpoint without 1.2 (HTTP 415). Default true. */
  soap12?: boolean;
  /** false: the last UploadFileChunk reply carries no `filehexcrc`. Default true. `minimal` never sends it. */
  fileHexCrc?: boolean;
  /**
   * 'empty' (the default): the result element carries `xmlns=""`; 'inherit': it inherits the service namespace.
   * `classic-asmx` always writes 'empty', after the attributes, as XmlWriter does.
   */
  resultXmlns?: 'empty' | 'inherit';
  /** Who may use a handler: the session (ticket) that created it, or any session of the same user. */
  handlerBinding?: 'session' | 'user';
  /**
   * 'allow' (the default): DownloadFileChunk calls of one handler may overlap, each answered for its own offset.
   * 'refuse': a server whose handler holds one FileStream. A DownloadFileChunk that arrives while another of the same
   * handler is still being answered fails as an unhandled IOException (`The process cannot access the file '…'
   * because it is being used by another process.`): in-band `SystemError:` (`documented`, `minimal`), or a
   * soap:Server fault with a stack trace (`classic-asmx`).
   */
  concurrentChunkReads?: 'allow' | 'refuse';
  /** Receives one line per request. Lines never contain passwords or tickets. */
  log?: (line: string) => void;
  /** HTTPS instead of HTTP. */
  tls?: EmulatorTls;
}

type OptionalSettings = 'dataDir' | 'sysadminAccount' | 'log' | 'tls';
export type EmulatorConfig = Required<Omit<EmulatorOptions, OptionalSettings>> & Pick<EmulatorOptions, OptionalSettings>;

export const MIN_CHUNK_SIZE = 262_144;
export const MAX_CHUNK_SIZE = 33_554_432;

const DAY_MS = 86_400_000;

export function resolveOptions(options: EmulatorOptions): EmulatorConfig {
  const maxRequestLengthKb = options.maxRequestLengthKb ?? 4096;
  if (!(Number.isInteger(maxRequestLengthKb) && maxRequestLengthKb > 0)) {
    throw new TypeError(`maxRequestLengthKb must be a positive whole number of KB, not ${maxRequestLengthKb}`);
  }
  const profile = options.profile ?? 'documented';
  if (!isProfileName(profile)) throw new TypeError(`unknown profile "${String(profile)}": expected ${PROFILE_NAMES.join(', ')}`);
  return {
    profile,
    maxRequestLengthKb,
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    dataDir: options.dataDir,
    libraries: options.libraries ?? ['Public'],
    users: options.users ?? [{ user: 'demo', password: 'demo' }],
    sysadminAccount: options.sysadminAccount,
    faults: options.faults ?? [],
    seed: options.seed ?? 1,
    ticketTtlMs: options.ticketTtlMs ?? 30 * DAY_MS,
    handlerTtlMs: options.handlerTtlMs ?? 20 * 60_000,
    defaultChunkSize: options.defaultChunkSize ?? 1_048_576,
    maxBodyBytes: options.maxBodyBytes ?? 64 * 1_048_576,
    readTimeoutMs: options.readTimeoutMs ?? 30_000,
    soap12: options.soap12 ?? true,
    fileHexCrc: options.fileHexCrc ?? true,
    resultXmlns: options.resultXmlns ?? 'empty',
    handlerBinding: options.handlerBinding ?? 'session',
    concurrentChunkReads: options.concurrentChunkReads ?? 'allow',
    log: options.log,
    tls: options.tls,
  };
}

/** `0` means the configured default; anything else is clamped to what the service allows. */
export function grantChunkSize(requested: number, defaultChunkSize: number): number {
  if (requested === 0) return defaultChunkSize;
  return Math.min(MAX_CHUNK_SIZE, Math.max(MIN_CHUNK_SIZE, requested));
}
