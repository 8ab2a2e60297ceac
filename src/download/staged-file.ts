// A download handler's life: the server stages the document (GetDownloadHandler or
// GetDownloadHandlerByVersion) and the client deletes the staged file afterwards, best effort.
import type { DownloadHandlerGrant } from '../../generated/srv.js';
import { InvalidArgumentError, malformedReply } from '../errors.js';
import { parseHexCrc } from '../integrity/crc32.js';
import type { SessionCallOptions, SrvSession } from '../session/session.js';
import type { CallOptions } from '../soap/client.js';
import { MAX_INT, type SourceSpec } from './plan.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Bounds cleanup, retries included: it also runs after the caller has cancelled. */
const CLEANUP_TIMEOUT_MS = 10_000;

export interface StagedFile {
  readonly handler: string;
  readonly size: number;
  /** The granted chunk size, passed to every DownloadFileChunk (contract C17). */
  readonly chunkSize: number;
  /** The whole-file CRC-32 the server vouches for; undefined for rendered content or when it sends none. */
  readonly crc32: number | undefined;
  readonly contentType: string | undefined;
  readonly fileName: string | undefined;
  readonly versionNumber: number | undefined;
}

/** Obtains a handler. A grant the download cannot use is refused, its handler deleted. */
export async function stageFile(session: SrvSession, source: SourceSpec, chunkSize: number, call: SessionCallOptions): Promise<StagedFile> {
  const { path: Path, versionNumber: VersionNumber } = source;
  const grant =
    VersionNumber === undefined
      ? await session.call('GetDownloadHandler', { Path, PreferedChunkSize: chunkSize }, call)
      : await session.call('GetDownloadHandlerByVersion', { Path, VersionNumber, PreferedChunkSize: chunkSize }, call);
  const operation = VersionNumber === undefined ? 'GetDownloadHandler' : 'GetDownloadHandlerByVersion';
  if (!GUID.test(grant.downloadhandler)) throw malformedReply(operation, `downloadhandler "${grant.downloadhandler}" is not a GUID`);
  try {
    return stagedFileOf(grant, chunkSize, operation);
  } catch (error) {
    await releaseHandler(session, grant.downloadhandler);
    throw error;
  }
}

/** DeleteDownloadHandler, without the caller's signal; a failure is a warning, never an error. */
export async function releaseHandler(session: SrvSession, handler: string): Promise<void> {
  try {
    await session.call('DeleteDownloadHandler', { DownloadHandler: handler }, { timeoutMs: CLEANUP_TIMEOUT_MS, signal: AbortSignal.timeout(CLEANUP_TIMEOUT_MS) });
  } catch (error) {
    session.warn({ message: `DeleteDownloadHandler failed; the server discards handler ${handler} when it expires`, operation: 'DeleteDownloadHandler', error });
  }
}

function stagedFileOf(grant: DownloadHandlerGrant, requestedChunkSize: number, operation: string): StagedFile {
  if (grant.Size > MAX_INT) {
    throw new InvalidArgumentError('source', `is ${grant.Size} bytes; the service's int offsets cannot address more than ${MAX_INT} (contract C31)`, operation);
  }
  if (grant.Size < 0) throw malformedReply(operation, `Size ${grant.Size} is negative`);
  if (grant.ChunkSize !== undefined && grant.ChunkSize <= 0) throw malformedReply(operation, `ChunkSize ${grant.ChunkSize} is not positive`);
  return {
    handler: grant.downloadhandler,
    size: grant.Size,
    // Without a granted size, the size asked for: each reply's chunklength says what really came.
    chunkSize: grant.ChunkSize ?? requestedChunkSize,
    crc32: grant.RenderedContent === true ? undefined : wholeFileCrc(grant.CRC32, operation),
    contentType: grant.ContentType,
    fileName: grant.AlterDocumentName,
    versionNumber: grant.VersionNumber,
  };
}

function wholeFileCrc(text: string | undefined, operation: string): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const crc = parseHexCrc(text);
  if (crc === undefined) throw malformedReply(operation, `CRC32 "${text}" is not hex`);
  return crc;
}

