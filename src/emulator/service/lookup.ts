import { crcHex } from '../crc.js';
import { textParam } from '../params.js';
import { ok, Refusal } from '../result.js';
import type { DocumentRecord } from '../store/document-store.js';
import { isValidName, pathSegments, sanitizeName } from '../store/doc-path.js';
import type { OperationHandler } from './context.js';
import { latestPublishedVersion, latestVersion, resolveDocument } from './documents.js';
import {
  DOCUMENT_NOT_FOUND,
  FOLDER_NOT_FOUND,
  FOLDER_NOT_FOUND_BARE,
  INVALID_PATH,
  ROOT_FOLDER_REFUSED,
} from './messages.js';
import { requireSession } from './session.js';

const TICKET = 'authenticationTicket';

/** `CRC32` is the published version's CRC, '' when no version is published. */
function checksums(document: DocumentRecord) {
  const published = latestPublishedVersion(document);
  return ok(
    ['CRC32LASTVERSION', crcHex(latestVersion(document).crc32)],
    ['CRC32', published === undefined ? '' : crcHex(published.crc32)],
  );
}

export const documentExists: OperationHandler = async (context, call) => {
  requireSession(context, call, TICKET);
  return checksums(resolveDocument(context.store, textParam(call.params, 'Path')));
};

/** The folder is resolved first, then the name inside it; short `~D` paths are not accepted. */
export const documentExists1: OperationHandler = async (context, call) => {
  requireSession(context, call, TICKET);
  const folder = pathSegments(textParam(call.params, 'FolderPath'));
  if (folder === undefined || context.store.folder(folder) === undefined) throw new Refusal(FOLDER_NOT_FOUND_BARE);
  const name = textParam(call.params, 'DocumentName');
  const document = isValidName(name) ? context.store.document([...folder, name]) : undefined;
  if (document === undefined) throw new Refusal(DOCUMENT_NOT_FOUND);
  return checksums(document);
};

/** A missing folder is answered with an `error` attribute only, as documented. */
export const folderExists: OperationHandler = async (context, call) => {
  requireSession(context, call, TICKET);
  const segments = pathSegments(textParam(call.params, 'Path'));
  if (segments === undefined || context.store.folder(segments) === undefined) {
    throw new Refusal(FOLDER_NOT_FOUND, { withoutSuccess: true });
  }
  return ok();
};

/** Creates missing intermediate folders (names sanitized), never a library. An existing folder is a success. */
export const createFolder: OperationHandler = async (context, call) => {
  requireSession(context, call, TICKET);
  const segments = pathSegments(textParam(call.params, 'Path'));
  if (segments === undefined) throw new Refusal(INVALID_PATH);
  const [library, ...names] = segments;
  if (library === undefined || names.length === 0) throw new Refusal(ROOT_FOLDER_REFUSED);
  if (context.store.folder([library]) === undefined) throw new Refusal(FOLDER_NOT_FOUND, { withoutSuccess: true });
  const sanitized = names.map(sanitizeName);
  if (sanitized.includes('')) throw new Refusal(INVALID_PATH);
  const folder = await context.store.createFolder([library, ...sanitized]);
  return ok(['FolderId', String(folder.folderId)], ['FolderName', folder.path.split('/').at(-1) ?? '']);
};
