import { intParam, textParam } from '../params.js';
import { okWith, Refusal } from '../result.js';
import type { ChildElement } from '../result.js';
import { pathSegments } from '../store/doc-path.js';
import { VERSION_STEP } from '../store/document-store.js';
import type { DocumentRecord, FolderRecord } from '../store/document-store.js';
import { utcDate } from '../time.js';
import { typeDescriptionOf } from './content-type.js';
import type { OperationHandler, ServiceContext } from './context.js';
import { byName, latestPublishedVersion, latestVersion, nameOf } from './documents.js';
import { FOLDER_NOT_FOUND, FOLDER_NOT_FOUND_BARE, INVALID_PAGE_NUMBER } from './messages.js';
import { requireSession } from './session.js';

const TICKET = 'authenticationTicket';
const PAGE_SIZE = 20;

function folderAt(context: ServiceContext, path: string, notFound: string): { segments: string[]; folder: FolderRecord } {
  const segments = pathSegments(path);
  const folder = segments === undefined ? undefined : context.store.folder(segments);
  if (segments === undefined || folder === undefined) throw new Refusal(notFound);
  return { segments, folder };
}

/** A case-insensitive substring of the name; '' (or none sent) lets every name through. */
const matching = (filter: string) => (record: { path: string }): boolean => nameOf(record).toLowerCase().includes(filter.toLowerCase());

const pagedFolder = (folder: FolderRecord) => ({
  path: folder.path,
  element: { name: 'folder', attributes: [['id', String(folder.folderId)], ['name', nameOf(folder)]] } satisfies ChildElement,
});

const pagedDocument = (document: DocumentRecord) => ({
  path: document.path,
  element: {
    name: 'document',
    attributes: [['id', String(document.documentId)], ['name', nameOf(document)], ['versionid', String(latestVersion(document).versionId)]],
  } satisfies ChildElement,
});

/**
 * One page of 20 items, folders and documents mixed in one order by name (the docs promise no order, and a
 * client must not take folders to come first); a page past the end has no items and is the only end signal (C47).
 * versionid is the latest version's internal id, which is not a version Number (C36).
 */
export const getFoldersAndDocumentsByPage: OperationHandler = async (context, call) => {
  requireSession(context, call, TICKET);
  const { segments } = folderAt(context, textParam(call.params, 'Path'), FOLDER_NOT_FOUND);
  const page = intParam(call.params, 'PageNumber');
  if (page < 1) throw new Refusal(INVALID_PAGE_NUMBER);
  const { folders, documents } = context.store.childrenOf(segments);
  const items = [
    ...folders.filter(matching(textParam(call.params, 'FolderFilter'))).map(pagedFolder),
    ...documents.filter(matching(textParam(call.params, 'DocumentFilter'))).map(pagedDocument),
  ];
  return okWith([], byName(items).slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE).map((item) => item.element));
};

/** `<d>`'s short form; version and publishedversion are counts, not Numbers (C36). */
function shortDocument(document: DocumentRecord): ChildElement {
  const latest = latestVersion(document);
  const created = utcDate(Date.parse(document.versions[0]?.createdAt ?? latest.createdAt));
  return {
    name: 'd',
    attributes: [
      ['id', String(document.documentId)],
      ['n', nameOf(document)],
      ['mdate', utcDate(Date.parse(latest.createdAt))],
      ['cdate', created],
      ['size', String(latest.size)],
      ['dformat', typeDescriptionOf(document.path)],
      // The emulator's users have no full name: both are the login name.
      ['chkoutbyusername', document.checkout?.userName ?? ''],
      ['chkoutbyfullname', document.checkout?.userName ?? ''],
      ['version', String(latest.versionNumber / VERSION_STEP)],
      ['publishedversion', String((latestPublishedVersion(document)?.versionNumber ?? 0) / VERSION_STEP)],
      ['regdate', created],
      ['dtype', '0'],
    ],
  };
}

/** Every direct child in one reply: folders first, then documents, each by name. */
export const getFoldersAndDocuments1: OperationHandler = async (context, call) => {
  requireSession(context, call, TICKET);
  const { segments, folder } = folderAt(context, textParam(call.params, 'Path'), FOLDER_NOT_FOUND_BARE);
  const { folders, documents } = context.store.childrenOf(segments);
  const parent = segments.length > 1 ? context.store.folder(segments.slice(0, -1)) : undefined;
  const children = [
    ...byName(folders).map((child): ChildElement => ({ name: 'f', attributes: [['id', String(child.folderId)], ['n', nameOf(child)]] })),
    ...byName(documents).map(shortDocument),
  ];
  return okWith(
    [
      ['error', ''],
      ['folderid', String(folder.folderId)],
      ['parentid', String(parent?.folderId ?? 0)],
      ['name', nameOf(folder)],
      ['path', folder.path],
      ['folderfilter', ''],
      ['documentfilter', ''],
      ['itemcount', String(children.length)],
    ],
    children,
  );
};
