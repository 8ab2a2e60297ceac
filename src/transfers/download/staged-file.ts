// A download handler: the server stages the document (GetDownloadHandler or
// GetDownloadHandlerByVersion), and a grant the download cannot use is refused, its handler deleted.
import type { DownloadHandlerGrant } from '../../../generated/srv.js';
import { malformedReply, SrvError } from '../../errors.js';
import { isGuid } from '../../soap/arguments.js';
import { crcAttribute } from '../../integrity/crc32.js';
import type { TransferBudget } from '../../calls/budget.js';
import type { ServicePort } from '../../calls/port.js';
import type { CallOptions } from '../../soap/client.js';
import { deleteHandler, deleteNamedHandlers, MAX_CHUNK_SIZE, MAX_INT, MIN_CHUNK_SIZE } from '../transfer.js';
import type { SourceSpec } from './plan.js';

export interface StagedFile {
  readonly handler: string;
  readonly size: number;
  /** The granted chunk size, passed to every DownloadFileChunk. */
  readonly chunkSize: number;
  /** The whole-file CRC-32 the server vouches for; undefined for rendered content or when it sends none. */
  readonly crc32: number | undefined;
  readonly contentType: string | undefined;
  readonly fileName: string | undefined;
  /** The version as the grant names it (0 for the latest, on a documented server), and its ModificationDate; undefined where it gives none. */
  readonly versionNumber: number | undefined;
  readonly modificationDate: string | undefined;
}

/** Obtains a handler. A grant the download cannot use is refused, its handler deleted. */
export async function stageFile(port: ServicePort, source: SourceSpec, chunkSize: number, options: CallOptions & { budget: TransferBudget }): Promise<StagedFile> {
  const { path: Path, versionNumber: VersionNumber } = source;
  const call = { ...options, step: 'grant' } as const;
  const outcome =
    VersionNumber === undefined
      ? await port.attempt('GetDownloadHandler', { Path, PreferedChunkSize: chunkSize }, call)
      : await port.attempt('GetDownloadHandlerByVersion', { Path, VersionNumber, PreferedChunkSize: chunkSize }, call);
  // A grant that failed, or was malformed, and named a handler anyway still staged a file.
  await deleteNamedHandlers(port, 'download', outcome.failures);
  if (!outcome.ok) throw outcome.failure.error;
  const grant = outcome.value;
  const operation = VersionNumber === undefined ? 'GetDownloadHandler' : 'GetDownloadHandlerByVersion';
  if (!isGuid(grant.downloadhandler)) throw malformedReply(operation, `downloadhandler "${grant.downloadhandler}" is not a GUID`);
  try {
    return stagedFileOf(grant, chunkSize, operation, Path);
  } catch (error) {
    await deleteHandler(port, 'download', grant.downloadhandler);
    throw error;
  }
}

function stagedFileOf(grant: DownloadHandlerGrant, requestedChunkSize: number, operation: string, path: string): StagedFile {
  const { Size: size, ChunkSize: chunkSize } = grant;
  if (size > MAX_INT) {
    throw new SrvError(`download: ${path} is ${size} bytes, but the service's int offsets cannot address more than ${MAX_INT} bytes (2 GiB), so it cannot be downloaded`, { operation });
  }
  if (size < 0) throw malformedReply(operation, `Size ${size} is negative`);
  // A chunk smaller than the service's smallest is absurd, but for a file that fits in it.
  if (chunkSize !== undefined && (chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE || (chunkSize < MIN_CHUNK_SIZE && chunkSize < size))) {
    throw malformedReply(operation, `ChunkSize ${chunkSize} is outside the ${MIN_CHUNK_SIZE}..${MAX_CHUNK_SIZE} the service grants`);
  }
  return {
    handler: grant.downloadhandler,
    size: grant.Size,
    // Without a granted size, the size asked for: each reply's chunklength says what really came.
    chunkSize: grant.ChunkSize ?? requestedChunkSize,
    crc32: grant.RenderedContent === true ? undefined : crcAttribute(operation, 'CRC32', grant.CRC32),
    contentType: grant.ContentType,
    fileName: grant.AlterDocumentName,
    versionNumber: grant.VersionNumber,
    modificationDate: grant.ModificationDate,
  };
}
