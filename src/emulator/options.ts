import type { FaultRule } from './faults.js';
import { KESTREL_LIMITS } from './profiles/aspnetcore.js';

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
 * - `aspnetcore`: the documented service on ASP.NET Core's Kestrel, with its default limits: HTTP 413 with an empty
 *   body over 30,000,000 bytes (`maxBodyBytes`), a body slower than 240 bytes/s after a 5 s grace period cut off,
 *   a keep-alive timeout of 130 s, `Server: Kestrel`.
 */
export const PROFILE_NAMES = ['documented', 'minimal', 'classic-asmx', 'aspnetcore'] as const;
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
  /** The trusted-user secret CreateTicketforUser checks (TrustedUserPwd). Default: none, so every such call fails with [900]. */
  trustedUserPassword?: string;
  faults?: readonly FaultRule[];
  /** Seed of the random source of probability fault rules. Default 1. */
  seed?: number;
  /** Sliding ticket lifetime. Default 30 days. */
  ticketTtlMs?: number;
  /** Upload/download handlers expire after this much inactivity. Default 20 minutes. */
  handlerTtlMs?: number;
  /** The chunk size granted for `PreferedChunkSize=0`. Default 1 MiB. */
  defaultChunkSize?: number;
  /**
   * Larger request bodies get HTTP 413. Default 64 MiB (a 32 MiB chunk in base64 fits); for `aspnetcore`, Kestrel's
   * MaxRequestBodySize, 30,000,000 bytes (it does not fit). Not used by `classic-asmx`.
   */
  maxBodyBytes?: number;
  /**
   * getApplicationParameters' FILEUPLOADLIMIT, in bytes. A finalize of a larger upload is refused (the docs name no
   * call that enforces it, C42). Default 1072693248, the documented default.
   */
  uploadLimit?: number;
  /**
   * GetGeneralAppSettings' DocumentMaxSize, in bytes, at most 1073741824; less than 1048576 is raised to 1048576, as
   * the service does. A finalize of a larger upload is refused. Default 1073741824, the most the service allows (its
   * own default, 78643200, would refuse the files a benchmark sends).
   */
  documentMaxSize?: number;
  /** GetGeneralAppSettings' ZipDownloadSetting: the most bytes and documents one DownloadZipWithHandler archive may hold. Default 78643200 and 1000, as documented. */
  zipMaxTotalSize?: number;
  zipMaxTotalCount?: number;
  /**
   * A request must arrive completely within this time (slow-loris guard). Default 30 s. For `aspnetcore` it is
   * Kestrel's RequestHeadersTimeout, for the headers alone: its body is held to the minimum data rate instead.
   */
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
  /**
   * true: serve one connection at a time, as a server with a single worker does. A request is read
   * and answered only once the one before it, on any connection, is answered; the others wait in
   * line, in the order they came, their connections held open. More requests in flight then only
   * wait longer. Default false: requests are served as they come.
   */
  oneConnection?: boolean;
  /** Receives one line per request. Lines never contain passwords or tickets. */
  log?: (line: string) => void;
  /** HTTPS instead of HTTP. */
  tls?: EmulatorTls;
}

type OptionalSettings = 'dataDir' | 'sysadminAccount' | 'trustedUserPassword' | 'log' | 'tls';
export type EmulatorConfig = Required<Omit<EmulatorOptions, OptionalSettings>> & Pick<EmulatorOptions, OptionalSettings>;

export const MIN_CHUNK_SIZE = 262_144;
/** The range of DocumentMaxSize. */
export const MIN_DOCUMENT_SIZE = 1_048_576;
export const MAX_DOCUMENT_SIZE = 1_073_741_824;
export const MAX_CHUNK_SIZE = 33_554_432;

const DAY_MS = 86_400_000;

export function resolveOptions(options: EmulatorOptions): EmulatorConfig {
  const maxRequestLengthKb = options.maxRequestLengthKb ?? 4096;
  if (!(Number.isInteger(maxRequestLengthKb) && maxRequestLengthKb > 0)) {
    throw new TypeError(`maxRequestLengthKb must be a positive whole number of KB, not ${maxRequestLengthKb}`);
  }
  const uploadLimit = positiveWhole(options.uploadLimit ?? 1_072_693_248, 'uploadLimit');
  const documentMaxSize = options.documentMaxSize ?? MAX_DOCUMENT_SIZE;
  if (!(Number.isSafeInteger(documentMaxSize) && documentMaxSize > 0 && documentMaxSize <= MAX_DOCUMENT_SIZE)) {
    throw new TypeError(`documentMaxSize must be a whole number of bytes from 1 to ${MAX_DOCUMENT_SIZE}, not ${documentMaxSize}`);
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
    trustedUserPassword: options.trustedUserPassword,
    faults: options.faults ?? [],
    seed: options.seed ?? 1,
    ticketTtlMs: options.ticketTtlMs ?? 30 * DAY_MS,
    handlerTtlMs: options.handlerTtlMs ?? 20 * 60_000,
    defaultChunkSize: options.defaultChunkSize ?? 1_048_576,
    maxBodyBytes: options.maxBodyBytes ?? (profile === 'aspnetcore' ? KESTREL_LIMITS.maxRequestBodySize : 64 * 1_048_576),
    uploadLimit,
    documentMaxSize: Math.max(MIN_DOCUMENT_SIZE, documentMaxSize),
    zipMaxTotalSize: atMost(positiveWhole(options.zipMaxTotalSize ?? 78_643_200, 'zipMaxTotalSize'), MAX_ZIP_BYTES, 'zipMaxTotalSize'),
    zipMaxTotalCount: atMost(positiveWhole(options.zipMaxTotalCount ?? 1000, 'zipMaxTotalCount'), MAX_ZIP_ENTRIES, 'zipMaxTotalCount'),
    readTimeoutMs: options.readTimeoutMs ?? 30_000,
    soap12: options.soap12 ?? true,
    fileHexCrc: options.fileHexCrc ?? true,
    resultXmlns: options.resultXmlns ?? 'empty',
    handlerBinding: options.handlerBinding ?? 'session',
    concurrentChunkReads: options.concurrentChunkReads ?? 'allow',
    oneConnection: options.oneConnection ?? false,
    log: options.log,
    tls: options.tls,
  };
}

/** The emulator writes archives without ZIP64, so their size and entry count stay below its bounds (folders count too). */
const MAX_ZIP_BYTES = 4_000_000_000;
const MAX_ZIP_ENTRIES = 60_000;

function atMost(value: number, max: number, name: string): number {
  if (value > max) throw new TypeError(`${name} must be at most ${max}, not ${value}`);
  return value;
}

function positiveWhole(value: number, name: string): number {
  if (!(Number.isSafeInteger(value) && value > 0)) throw new TypeError(`${name} must be a positive whole number, not ${value}`);
  return value;
}

/** `0` means the configured default; anything else is clamped to what the service allows. */
export function grantChunkSize(requested: number, defaultChunkSize: number): number {
  if (requested === 0) return defaultChunkSize;
  return Math.min(MAX_CHUNK_SIZE, Math.max(MIN_CHUNK_SIZE, requested));
}
