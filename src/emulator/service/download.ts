import { crcHex } from '../crc.js';
import { canonicalGuid } from '../guid.js';
import { grantChunkSize, MAX_CHUNK_SIZE } from '../options.js';
import { intParam, textParam } from '../params.js';
import { ok, Refusal } from '../result.js';
import type { Attribute } from '../result.js';
import type { DocumentRecord, VersionRecord } from '../store/document-store.js';
import { utcDate } from '../time.js';
import { contentTypeOf } from './content-type.js';
import type { OperationCall, OperationHandler, ServiceContext } from './context.js';
import { flipOneByte } from './corruption.js';
import { documentName, resolveDocument, versionByNumber } from './documents.js';
import {
  DOWNLOAD_HANDLER_ERRORS,
  INVALID_CHUNK_SIZE,
  INVALID_DOWNLOAD_HANDLER,
  INVALID_START_OFFSET,
  MALFORMED_DOWNLOAD_CHUNK_SIZE,
} from './messages.js';
import { requireSession } from './session.js';

/** What GetDownloadHandler* and GetDownloadInfo* tell of a version after its Size; VersionNumber echoes the request. */
function downloadFacts(document: DocumentRecord, version: VersionRecord, requestedVersion: number): Attribute[] {
  return [
    ['ContentType', contentTypeOf(document.path)],
    ['ModificationDate', utcDate(Date.parse(version.createdAt))],
    ['VersionNumber', String(requestedVersion === 0 ? 0 : version.versionNumber)],
    ['AlterDocumentName', documentName(document)],
    ['RenderedContent', 'false'],
    ['CRC32', crcHex(version.crc32)],
  ];
}

async function stageVersion(context: ServiceContext, call: OperationCall, requestedVersion: number) {
  const session = requireSession(context, call, 'AuthenticationTicket');
  const document = resolveDocument(context.store, textParam(call.params, 'Path'));
  const version = versionByNumber(document, requestedVersion);
  const chunkSize = grantChunkSize(intParam(call.params, 'PreferedChunkSize'), context.config.defaultChunkSize);
  const file = context.store.contentFile(version.versionId);
  const handler = await context.downloads.create(session, { file, path: document.path, size: version.size });
  return ok(
    ['Size', String(version.size)],
    ...downloadFacts(document, version, requestedVersion),
    // The malformedGrant fault: a real handler, granted with a ChunkSize no client can use.
    ['ChunkSize', call.faults.has('malformedGrant') ? MALFORMED_DOWNLOAD_CHUNK_SIZE : String(chunkSize)],
    ['downloadhandler', handler.id],
  );
}

/** GetDownloadHandler's facts without staging anything: no handler, no ChunkSize. */
async function describeVersion(context: ServiceContext, call: OperationCall, requestedVersion: number) {
  requireSession(context, call, 'AuthenticationTicket');
  const document = resolveDocument(context.store, textParam(call.params, 'Path'));
  const version = versionByNumber(document, requestedVersion);
  return ok(['Size', String(version.size)], ...downloadFacts(document, version, requestedVersion));
}

export const getDownloadInfo: OperationHandler = (context, call) => describeVersion(context, call, 0);

export const getDownloadInfoByVersion: OperationHandler = (context, call) =>
  describeVersion(context, call, intParam(call.params, 'VersionNumber'));

export const getDownloadHandler: OperationHandler = (context, call) => stageVersion(context, call, 0);

export const getDownloadHandlerByVersion: OperationHandler = (context, call) =>
  stageVersion(context, call, intParam(call.params, 'VersionNumber'));

/**
 * A non-GUID handler is refused before anything else ("refused immediately"). The read lasts until the reply has
 * been answered (see DownloadStaging.startRead).
 */
export const downloadFileChunk: OperationHandler = async (context, call) => {
  const id = canonicalGuid(textParam(call.params, 'DownloadHandler'));
  if (id === undefined) throw new Refusal(INVALID_DOWNLOAD_HANDLER);
  const session = requireSession(context, call, 'authenticationTicket');
  const handler = context.downloads.table.claim(id, session, DOWNLOAD_HANDLER_ERRORS);
  const start = intParam(call.params, 'StartOffset');
  const chunkSize = intParam(call.params, 'ChunkSize');
  if (start < 0 || start > handler.size) throw new Refusal(INVALID_START_OFFSET);
  if (chunkSize <= 0) throw new Refusal(INVALID_CHUNK_SIZE);
  const endRead = context.downloads.startRead(handler);
  try {
    const { bytes: data, crc32, recycle } = await context.downloads.read(handler, start, Math.min(chunkSize, MAX_CHUNK_SIZE, handler.size - start));
    const [sent] = call.faults.has('corrupt') ? flipOneByte([data]) : [data];
    const attributes = ok(
      ['filelength', String(handler.size)],
      ['chunklength', String(data.length)],
      ['lastchunk', String(start + data.length >= handler.size)],
      ['chunkCRC32', crcHex(crc32)],
    ).attributes;
    const release = (): void => {
      endRead();
      recycle();
    };
    return { attributes, content: sent ?? data, release };
  } catch (error) {
    endRead();
    throw error;
  }
};
