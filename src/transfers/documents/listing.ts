// A folder's direct children: page by page (GetFoldersAndDocumentsByPage), never one reply for the
// whole folder, or in one reply with each document's details (GetFoldersAndDocuments1). ByPage
// has no total and no last-page flag (C47): pages are read until one is empty, or repeats the one
// before (a guard, not a documented case).
import type { FolderPage, PagedItem, ShortDocument } from '../../../generated/srv.js';
import type { ServicePort } from '../../calls/port.js';
import { remotePath } from '../transfer.js';
import type { LookupOptions } from '../lookups.js';

export interface ListOptions extends LookupOptions {
  /** Only folders whose name contains this, case-insensitively (the server's FolderFilter). */
  folderFilter?: string;
  /** Only documents whose name contains this, case-insensitively (the server's DocumentFilter). */
  documentFilter?: string;
}

/** One child of a listed folder. */
export interface FolderEntry {
  kind: 'folder' | 'document';
  name: string;
  /** The folder's path joined with the name. */
  path: string;
  /** The server's id; undefined when it does not report it. */
  id: number | undefined;
}

/** A document of a detailed listing: what GetFoldersAndDocuments1 reports, undefined where it does not. */
export interface DocumentDetails extends FolderEntry {
  kind: 'document';
  size: number | undefined;
  /** The number of versions (a count, not a version's Number: C36). */
  versionCount: number | undefined;
  /** yyyy-MM-dd, as the server writes it. */
  modified: string | undefined;
  /** The login of the user holding the document checked out (locked); undefined when nobody does. */
  checkedOutBy: string | undefined;
}

export type DetailedEntry = (FolderEntry & { kind: 'folder' }) | DocumentDetails;

/** The folder's children, read a page at a time as the caller iterates. */
export async function* listFolder(port: ServicePort, folder: string, options: ListOptions = {}): AsyncGenerator<FolderEntry, void, undefined> {
  const Path = remotePath(folder, 'folder', 'a non-empty folder path');
  const { folderFilter, documentFilter, ...call } = options;
  const filters = { ...(folderFilter !== undefined && { FolderFilter: folderFilter }), ...(documentFilter !== undefined && { DocumentFilter: documentFilter }) };
  let previous: string | undefined;
  for (let PageNumber = 1; ; PageNumber += 1) {
    const page = await port.call('GetFoldersAndDocumentsByPage', { Path, ...filters, PageNumber }, call);
    const entries = entriesOf(Path, page);
    const key = JSON.stringify(entries);
    if (entries.length === 0 || key === previous) return;
    previous = key;
    yield* entries;
  }
}

/** The folder's children with each document's size, version count, date and checkout holder, in one reply. */
export async function listDetails(port: ServicePort, folder: string, options: LookupOptions = {}): Promise<DetailedEntry[]> {
  const Path = remotePath(folder, 'folder', 'a non-empty folder path');
  const listing = await port.call('GetFoldersAndDocuments1', { Path }, options);
  const folders = listing.f.map((f) => ({ kind: 'folder' as const, name: f.n, path: childPath(Path, f.n), id: f.id }));
  return [...folders, ...listing.d.map((d) => documentDetails(Path, d))];
}

function entriesOf(folder: string, page: FolderPage): FolderEntry[] {
  const entry = (kind: FolderEntry['kind']) => (item: PagedItem): FolderEntry => ({ kind, name: item.name, path: childPath(folder, item.name), id: item.id });
  return [...page.folder.map(entry('folder')), ...page.document.map(entry('document'))];
}

function documentDetails(folder: string, d: ShortDocument): DocumentDetails {
  return {
    kind: 'document',
    name: d.n,
    path: childPath(folder, d.n),
    id: d.id,
    size: d.size,
    versionCount: d.version,
    modified: d.mdate || undefined,
    checkedOutBy: d.chkoutbyusername || undefined,
  };
}

function childPath(folder: string, name: string): string {
  return `${folder.replace(/\/+$/, '')}/${name}`;
}
