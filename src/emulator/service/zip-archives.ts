import { writeFile } from 'node:fs/promises';
import { crc32Of } from '../crc.js';
import { flagParam, textParam } from '../params.js';
import { logEntry, Refusal } from '../result.js';
import type { Attribute, ChildElement, Reply } from '../result.js';
import type { UploadHandler } from '../staging/uploads.js';
import { isValidName, pathSegments } from '../store/doc-path.js';
import type { DocumentRecord, FolderRecord } from '../store/document-store.js';
import { InvalidZipError, readZip, writeZip } from '../zip.js';
import type { ZipEntry, ZipSource } from '../zip.js';
import type { OperationCall, OperationHandler, ServiceContext } from './context.js';
import { latestVersion, nameOf, resolveDocument } from './documents.js';
import { DEFAULT_DETAILS } from './version-details.js';
import { otherHolder } from './locks.js';
import {
  checkedOutBy,
  documentTooLarge,
  DUPLICATE_ARCHIVE_NAME,
  fileTooLarge,
  FOLDER_NOT_FOUND,
  INVALID_PATH,
  LAST_CHUNK_MISSING,
  NO_VALID_PATHS,
  PATH_NOT_FOUND,
  UNZIP_FAILED,
  zipLimitExceeded,
} from './messages.js';
import { requireSession } from './session.js';
import { withUploadHandler } from './upload.js';

/** What DownloadZipWithHandler puts in the archive, and the items it could not. */
class Selection {
  readonly sources: ZipSource[] = [];
  readonly refusals: ChildElement[] = [];
  documents = 0;
  bytes = 0;

  constructor(private readonly context: ServiceContext) {}

  add(path: string): void {
    const found = this.#resolve(path);
    if (typeof found === 'string') this.refusals.push(logEntry(path, found));
    else if ('folderId' in found) this.#addFolder(found, nameOf(found));
    else this.#addDocument(found, nameOf(found), path);
  }

  /** A document or folder by full path, `~D{id}` or `~F{id}`; the refusal's text when there is none. */
  #resolve(path: string): DocumentRecord | FolderRecord | string {
    const folderId = /^~F(\d+)$/.exec(path)?.[1];
    if (folderId !== undefined) return this.context.store.folders().find((folder) => folder.folderId === Number(folderId)) ?? PATH_NOT_FOUND;
    if (path.startsWith('~')) {
      try {
        return resolveDocument(this.context.store, path);
      } catch (error) {
        if (error instanceof Refusal) return error.message;
        throw error;
      }
    }
    const segments = pathSegments(path);
    if (segments === undefined) return PATH_NOT_FOUND;
    return this.context.store.document(segments) ?? this.context.store.folder(segments) ?? PATH_NOT_FOUND;
  }

  #addFolder(folder: FolderRecord, name: string): void {
    if (!this.#claim(`${name}/`, folder.path)) return;
    this.sources.push({ name: `${name}/`, size: 0, crc32: 0 });
    const { folders, documents } = this.context.store.childrenOf(folder.path.split('/').slice(1));
    for (const child of folders) this.#addFolder(child, `${name}/${nameOf(child)}`);
    for (const document of documents) this.#addDocument(document, `${name}/${nameOf(document)}`, document.path);
  }

  #addDocument(document: DocumentRecord, name: string, path: string): void {
    if (!this.#claim(name, path)) return;
    const version = latestVersion(document);
    this.sources.push({ name, file: this.context.store.contentFile(version.versionId), size: version.size, crc32: version.crc32 });
    this.documents += 1;
    this.bytes += version.size;
  }

  /** One entry per name: a second item of the same name is refused. */
  #claim(name: string, path: string): boolean {
    if (!this.sources.some((source) => source.name.toLowerCase() === name.toLowerCase())) return true;
    this.refusals.push(logEntry(path, DUPLICATE_ARCHIVE_NAME));
    return false;
  }
}

const failed = (error: string, logs: readonly ChildElement[] = []): Reply => ({
  attributes: [['success', 'false'], ['error', error], ['downloadhandler', '']],
  children: logs,
});

/**
 * An archive of the latest versions of the documents and folders (with every subfolder) that Paths names, staged
 * for DownloadFileChunk. partialResult=false fails on any item that cannot be added; true skips it with a log entry
 * (C24). Past ZipDownloadSetting's MaxTotalCount documents or MaxTotalSize bytes the call fails (C57).
 */
export const downloadZipWithHandler: OperationHandler = async (context, call) => {
  const session = requireSession(context, call, 'authenticationTicket');
  const selection = new Selection(context);
  for (const path of textParam(call.params, 'Paths').split('|').map((p) => p.trim()).filter((p) => p !== '')) selection.add(path);
  if (selection.sources.length === 0) return failed(selection.refusals.length === 0 ? NO_VALID_PATHS : '[log]', selection.refusals);
  if (selection.refusals.length > 0 && !flagParam(call.params, 'partialResult')) return failed('[log]', selection.refusals);
  const { zipMaxTotalCount, zipMaxTotalSize } = context.config;
  if (selection.documents > zipMaxTotalCount || selection.bytes > zipMaxTotalSize) return failed(zipLimitExceeded(zipMaxTotalCount, zipMaxTotalSize));
  const handler = await context.downloads.createWritten(session, 'archive.zip', (file) => writeZip(file, selection.sources));
  const attributes: Attribute[] = [['success', 'true'], ['downloadhandler', handler.id], ['error', selection.refusals.length > 0 ? '[log]' : '']];
  return { attributes, children: selection.refusals };
};

/** Imports one archive entry under the folder; the refusal's text when it cannot be. */
async function importEntry(context: ServiceContext, handler: UploadHandler, call: OperationCall, folder: readonly string[], entry: ZipEntry, bytes: Buffer): Promise<string | undefined> {
  const names = pathSegments(entry.name);
  if (names === undefined || !names.every(isValidName)) return INVALID_PATH;
  const segments = [...folder, ...names];
  if (entry.isFolder) {
    await context.store.createFolder(segments);
    return undefined;
  }
  if (bytes.length > context.config.documentMaxSize) return documentTooLarge(context.config.documentMaxSize);
  if (segments.length > folder.length + 1) await context.store.createFolder(segments.slice(0, -1));
  const existing = context.store.document(segments);
  const holder = existing === undefined ? undefined : otherHolder(existing, handler.userName);
  if (holder !== undefined) return checkedOutBy(holder);
  const crc32 = crc32Of([bytes]);
  const latest = existing === undefined ? undefined : latestVersion(existing);
  if (flagParam(call.params, 'changedOnly') && latest?.crc32 === crc32 && latest.size === bytes.length) return undefined;
  const file = `${handler.file}.entry`;
  await writeFile(file, bytes);
  await context.store.addVersion(segments, { file, size: bytes.length, crc32 }, { ...DEFAULT_DETAILS, author: handler.userName });
  return undefined;
}

const zipOutcome = (logs: readonly ChildElement[]): Reply => ({
  attributes: [['success', logs.length === 0 ? 'true' : 'false']],
  children: [{ name: 'logs', children: logs }],
});

/**
 * Unpacks the staged archive into folderPath, recreating its folder tree; each entry that cannot be imported is a
 * log entry of a failure, the others are imported. changedOnly skips an entry whose content the document already
 * has. The emulator sends no mail and its uploads need no lock, so sendEmail and checkOutCheckIn change nothing.
 * Consumes the handler, as every finalizer does.
 */
export const uploadZipWithHandler: OperationHandler = async (context, call) =>
  withUploadHandler(context, call, async (handler) => {
    try {
      if (!handler.complete) throw new Refusal(LAST_CHUNK_MISSING);
      const folder = pathSegments(textParam(call.params, 'folderPath'));
      if (folder === undefined || context.store.folder(folder) === undefined) throw new Refusal(FOLDER_NOT_FOUND);
      if (handler.bytes > context.config.uploadLimit) throw new Refusal(fileTooLarge(context.config.uploadLimit));
      const logs: ChildElement[] = [];
      await readZip(handler.file, async (entry, bytes) => {
        const refusal = await importEntry(context, handler, call, folder, entry, bytes);
        if (refusal !== undefined) logs.push(logEntry(entry.name, refusal));
      }).catch((error: unknown) => {
        if (!(error instanceof InvalidZipError)) throw error;
        logs.push(logEntry('upload.zip', UNZIP_FAILED));
      });
      return zipOutcome(logs);
    } finally {
      await context.uploads.table.remove(handler);
    }
  });
