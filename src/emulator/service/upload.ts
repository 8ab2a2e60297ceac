import { crcHex, parseHexCrc } from '../crc.js';
import { canonicalGuid } from '../guid.js';
import { grantChunkSize } from '../options.js';
import { binaryParam, flagParam, intParam, textParam } from '../params.js';
import type { Binary } from '../params.js';
import { ok, Refusal } from '../result.js';
import type { Attribute } from '../result.js';
import { exclusively } from '../staging/handler-table.js';
import type { UploadHandler } from '../staging/uploads.js';
import { flipOneByte } from './corruption.js';
import type { OperationCall, OperationHandler, ServiceContext } from './context.js';
import {
  CHUNK_AFTER_LAST,
  MALFORMED_UPLOAD_CHUNK_SIZE,
  chunkTooLarge,
  chunkTooShort,
  INVALID_CHUNK_CRC,
  INVALID_UPLOAD_HANDLER,
  UPLOAD_HANDLER_ERRORS,
} from './messages.js';
import { requireSession } from './session.js';

const TICKET = 'authenticationTicket';

export const createUploadHandler: OperationHandler = async (context, call) => {
  const session = requireSession(context, call, TICKET);
  const chunkSize = grantChunkSize(intParam(call.params, 'PreferedChunkSize'), context.config.defaultChunkSize);
  const handler = await context.uploads.create(session, chunkSize);
  // The malformedGrant fault: a real handler, granted with a ChunkSize no client can use.
  const granted = call.faults.has('malformedGrant') ? MALFORMED_UPLOAD_CHUNK_SIZE : String(chunkSize);
  return ok(['error', ''], ['UploadHandler', handler.id], ['ChunkSize', granted]);
};

/**
 * The caller's upload handler, for a task that runs exclusively on it. The handler is looked up again once
 * the task's turn comes, because a call queued before it may have consumed it.
 */
export function withUploadHandler<T>(
  context: ServiceContext,
  call: OperationCall,
  task: (handler: UploadHandler) => Promise<T>,
): Promise<T> {
  const session = requireSession(context, call, TICKET);
  const id = canonicalGuid(textParam(call.params, 'uploadHandler'));
  if (id === undefined) throw new Refusal(INVALID_UPLOAD_HANDLER);
  const handler = context.uploads.table.claim(id, session, UPLOAD_HANDLER_ERRORS);
  return exclusively(handler, async () => {
    if (context.uploads.table.live(id) !== handler) throw new Refusal(UPLOAD_HANDLER_ERRORS.missing);
    return task(handler);
  });
}

/** Strictness the documentation implies: every chunk but the last is exactly ChunkSize bytes. */
function sizeProblem(handler: UploadHandler, chunk: Binary, last: boolean): string | undefined {
  if (chunk.length > handler.chunkSize) return chunkTooLarge(handler.chunkSize);
  if (!last && chunk.length !== handler.chunkSize) return chunkTooShort(handler.chunkSize);
  return undefined;
}

async function appendChunk(context: ServiceContext, call: OperationCall, handler: UploadHandler) {
  if (handler.complete) throw new Refusal(CHUNK_AFTER_LAST);
  const chunk = binaryParam(call.params, 'fileChunk');
  const last = flagParam(call.params, 'lastChunk');
  const expectedCrc = parseHexCrc(textParam(call.params, 'chunkHEXCRC'));
  if (expectedCrc === undefined) throw new Refusal(INVALID_CHUNK_CRC);
  if (call.faults.has('tryagain') || chunk.crc32 !== expectedCrc) return ok(['tryagain', 'true']);
  const problem = sizeProblem(handler, chunk, last);
  if (problem !== undefined) throw new Refusal(problem);
  const stored = call.faults.has('corrupt') ? flipOneByte(chunk.parts) : chunk.parts;
  // The diskFull fault: the disk fills up halfway through the append, which is undone.
  const diskFull = call.faults.has('diskFull') ? { failAfterBytes: Math.floor(chunk.length / 2) } : {};
  await context.uploads.append(handler, stored, last, diskFull);
  const fileCrc: Attribute[] = last && context.config.fileHexCrc ? [['filehexcrc', crcHex(handler.crc)]] : [];
  return ok(['tryagain', 'false'], ...fileCrc);
}

export const uploadFileChunk: OperationHandler = async (context, call) =>
  withUploadHandler(context, call, (handler) => appendChunk(context, call, handler));

