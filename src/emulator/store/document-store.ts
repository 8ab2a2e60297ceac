import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EmulatorStartError } from '../start-errors.js';
import { displayPath, pathKey } from './doc-path.js';

export interface VersionRecord {
  readonly versionId: number;
  /** 1000000, 2000000, … within its document. */
  readonly versionNumber: number;
  readonly size: number;
  readonly crc32: number;
  readonly createdAt: string;
  readonly comment: string;
  /** A manual version label such as `2.0.1`; '' when none was given. */
  readonly label: string;
  readonly published: boolean;
  /** The xmlParameters the version was uploaded with, keyed by upper-case NAME. */
  readonly parameters: Readonly<Record<string, string>>;
  /** The login name of the user who uploaded it (absent in stores written before it was kept). */
  readonly author?: string;
}

export interface DocumentRecord {
  readonly documentId: number;
  readonly path: string;
  readonly versions: VersionRecord[];
  /** The highest version number ever given, so that a deleted version's number is never given again. */
  lastVersionNumber?: number;
}

/** A document DeleteDocument moved to the recycle bin, content and all. */
export interface RecycledDocument {
  readonly document: DocumentRecord;
  readonly deletedAt: string;
  readonly deletedBy: string;
}

export interface FolderRecord {
  readonly folderId: number;
  readonly path: string;
}

export type VersionDetails = Pick<VersionRecord, 'comment' | 'label' | 'published' | 'parameters' | 'author'>;

export interface StagedContent {
  readonly file: string;
  readonly size: number;
  readonly crc32: number;
}

interface StoreFile {
  nextDocumentId: number;
  nextVersionId: number;
  nextFolderId: number;
  folders: FolderRecord[];
  documents: DocumentRecord[];
  recycleBin: RecycledDocument[];
}

/** Removes `item` from `list`, if it is there (a reset may have replaced the list meanwhile). */
function removeFrom<T>(list: T[], item: T): void {
  const index = list.indexOf(item);
  if (index !== -1) list.splice(index, 1);
}

/** addVersion with `newDocumentOnly`, for a document that exists. */
export class DocumentExistsError extends Error {
  constructor() {
    super('the document already exists');
    this.name = 'DocumentExistsError';
  }
}

/** Version numbers are multiples of this: 1000000, 2000000, … */
export const VERSION_STEP = 1_000_000;
const FIRST_VERSION_ID = 1_000_001;

const emptyStoreFile = (): StoreFile => ({
  nextDocumentId: 1,
  nextVersionId: FIRST_VERSION_ID,
  nextFolderId: 1,
  folders: [],
  documents: [],
  recycleBin: [],
});

const keyOf = (record: { path: string }): string => pathKey(record.path.split('/').slice(1));

/** After the highest number the document ever had: 1000000, 2000000, … */
const nextVersionNumber = (document: DocumentRecord): number =>
  Math.max(document.lastVersionNumber ?? 0, ...document.versions.map((version) => version.versionNumber)) + VERSION_STEP;

/** Folders, documents and versions, persisted in `<dataDir>/store.json` and `<dataDir>/content/<versionId>`. */
export class DocumentStore {
  readonly #data: StoreFile;
  readonly #folders: Map<string, FolderRecord>;
  readonly #documents: Map<string, DocumentRecord>;
  readonly #dataDir: string;
  #saving: Promise<void> = Promise.resolve();
  /** The tail of the version additions queued for each document path (pathKey). */
  readonly #pathQueues = new Map<string, Promise<void>>();

  private constructor(dataDir: string, data: StoreFile) {
    this.#dataDir = dataDir;
    this.#data = data;
    this.#folders = new Map(data.folders.map((folder) => [keyOf(folder), folder]));
    this.#documents = new Map(data.documents.map((document) => [keyOf(document), document]));
  }

  static async open(dataDir: string, libraries: readonly string[]): Promise<DocumentStore> {
    await mkdir(join(dataDir, 'content'), { recursive: true });
    const store = new DocumentStore(dataDir, await readStoreFile(join(dataDir, 'store.json')));
    for (const library of libraries) store.#addFolder([library]);
    await store.#save();
    return store;
  }

  /** Forgets every document, version and folder but the libraries, and deletes the stored content. */
  async reset(libraries: readonly string[]): Promise<void> {
    Object.assign(this.#data, emptyStoreFile());
    this.#folders.clear();
    this.#documents.clear();
    for (const library of libraries) this.#addFolder([library]);
    await rm(join(this.#dataDir, 'content'), { recursive: true, force: true });
    await mkdir(join(this.#dataDir, 'content'), { recursive: true });
    await this.#save();
  }

  folder(segments: readonly string[]): FolderRecord | undefined {
    return this.#folders.get(pathKey(segments));
  }

  /** Creates the folder and any missing folder above it; the library (first segment) must exist. */
  async createFolder(segments: readonly string[]): Promise<FolderRecord> {
    let folder: FolderRecord | undefined;
    for (let depth = 2; depth <= segments.length; depth += 1) folder = this.#addFolder(segments.slice(0, depth));
    await this.#save();
    if (folder === undefined) throw new Error('a folder path needs a library and a name');
    return folder;
  }

  document(segments: readonly string[]): DocumentRecord | undefined {
    return this.#documents.get(pathKey(segments));
  }

  documentById(documentId: number): DocumentRecord | undefined {
    return this.#data.documents.find((document) => document.documentId === documentId);
  }

  /**
   * Stores staged content as a new version of the document at `segments`, creating the document if needed; with
   * `newDocumentOnly`, refuses (DocumentExistsError) a document that exists. Versions of one path are added one at
   * a time, so that check and the creation are one step: two calls for one new name cannot both create it. All or
   * nothing: when the store file cannot be written (a full disk), the version, the document it created and its
   * content file are taken back, and the error is passed on.
   */
  addVersion(
    segments: readonly string[],
    content: StagedContent,
    details: VersionDetails,
    options: { newDocumentOnly?: boolean } = {},
  ): Promise<{ document: DocumentRecord; version: VersionRecord }> {
    return this.#oneAtATime(pathKey(segments), async () => {
      if (options.newDocumentOnly === true && this.document(segments) !== undefined) throw new DocumentExistsError();
      return this.#addVersion(segments, content, details);
    });
  }

  async #addVersion(segments: readonly string[], content: StagedContent, details: VersionDetails): Promise<{ document: DocumentRecord; version: VersionRecord }> {
    const versionId = this.#data.nextVersionId++;
    const contentFile = this.contentFile(versionId);
    await rename(content.file, contentFile);
    const existing = this.document(segments);
    const document = existing ?? this.#addDocument(segments);
    const version: VersionRecord = {
      versionId,
      versionNumber: nextVersionNumber(document),
      size: content.size,
      crc32: content.crc32,
      createdAt: new Date().toISOString(),
      ...details,
    };
    const lastVersionNumber = document.lastVersionNumber;
    document.versions.push(version);
    document.lastVersionNumber = version.versionNumber;
    try {
      await this.#save();
    } catch (error) {
      removeFrom(document.versions, version);
      document.lastVersionNumber = lastVersionNumber;
      if (existing === undefined) this.#removeDocument(document);
      await rm(contentFile, { force: true });
      throw error;
    }
    return { document, version };
  }

  /** Moves the document at `segments` to the recycle bin; its path is free for a new document from then on. */
  recycle(segments: readonly string[], deletedBy: string): Promise<RecycledDocument | undefined> {
    return this.#oneAtATime(pathKey(segments), async () => {
      const document = this.document(segments);
      if (document === undefined) return undefined;
      const recycled = { document, deletedAt: new Date().toISOString(), deletedBy };
      this.#removeDocument(document);
      this.#data.recycleBin.push(recycled);
      await this.#saveOrUndo(() => {
        removeFrom(this.#data.recycleBin, recycled);
        this.#data.documents.push(document);
        this.#documents.set(keyOf(document), document);
      });
      return recycled;
    });
  }

  /** Deletes a version for good, its content file included; its number is never given again. */
  deleteVersion(document: DocumentRecord, version: VersionRecord): Promise<void> {
    return this.#oneAtATime(keyOf(document), async () => {
      const index = document.versions.indexOf(version);
      if (index === -1) return;
      document.lastVersionNumber = Math.max(document.lastVersionNumber ?? 0, version.versionNumber);
      document.versions.splice(index, 1);
      await this.#saveOrUndo(() => void document.versions.splice(index, 0, version));
      await rm(this.contentFile(version.versionId), { force: true });
    });
  }

  recycleBin(): readonly RecycledDocument[] {
    return this.#data.recycleBin;
  }

  contentFile(versionId: number): string {
    return join(this.#dataDir, 'content', String(versionId));
  }

  folders(): readonly FolderRecord[] {
    return this.#data.folders;
  }

  documents(): readonly DocumentRecord[] {
    return this.#data.documents;
  }

  #addFolder(segments: readonly string[]): FolderRecord {
    const key = pathKey(segments);
    const existing = this.#folders.get(key);
    if (existing !== undefined) return existing;
    const folder = { folderId: this.#data.nextFolderId++, path: displayPath(segments) };
    this.#data.folders.push(folder);
    this.#folders.set(key, folder);
    return folder;
  }

  #addDocument(segments: readonly string[]): DocumentRecord {
    const document = { documentId: this.#data.nextDocumentId++, path: displayPath(segments), versions: [] };
    this.#data.documents.push(document);
    this.#documents.set(pathKey(segments), document);
    return document;
  }

  /** Runs `task` after every earlier task of the same key has finished. */
  #oneAtATime<T>(key: string, task: () => Promise<T>): Promise<T> {
    const run = (this.#pathQueues.get(key) ?? Promise.resolve()).then(task, task);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.#pathQueues.set(key, settled);
    void settled.then(() => {
      if (this.#pathQueues.get(key) === settled) this.#pathQueues.delete(key);
    });
    return run;
  }

  #removeDocument(document: DocumentRecord): void {
    removeFrom(this.#data.documents, document);
    const key = keyOf(document);
    if (this.#documents.get(key) === document) this.#documents.delete(key);
  }

  /** Saves; when the store file cannot be written, `undo` takes the change back and the error is passed on. */
  async #saveOrUndo(undo: () => void): Promise<void> {
    try {
      await this.#save();
    } catch (error) {
      undo();
      throw error;
    }
  }

  /** Writes the store file atomically; saves run one at a time, in order. */
  #save(): Promise<void> {
    const file = join(this.#dataDir, 'store.json');
    const write = async (): Promise<void> => {
      await writeFile(`${file}.tmp`, JSON.stringify(this.#data, null, 2));
      await rename(`${file}.tmp`, file);
    };
    this.#saving = this.#saving.then(write, write);
    return this.#saving;
  }
}

const isRecordList = (value: unknown): boolean =>
  Array.isArray(value) && value.every((item) => typeof item === 'object' && item !== null && typeof (item as { path?: unknown }).path === 'string');

/** What is wrong with a parsed store file, or undefined when it has the shape the store needs. */
function storeFileProblem(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return 'it is not a JSON object';
  const fields = data as Record<string, unknown>;
  for (const counter of ['nextDocumentId', 'nextVersionId', 'nextFolderId']) {
    if (!Number.isSafeInteger(fields[counter])) return `${counter} is not a whole number`;
  }
  if (!isRecordList(fields['folders'])) return 'folders is not a list of folders';
  if (!isRecordList(fields['documents'])) return 'documents is not a list of documents';
  const documents = fields['documents'] as { versions?: unknown }[];
  if (!documents.every((document) => Array.isArray(document.versions))) return 'a document has no list of versions';
  const recycleBin = fields['recycleBin'];
  if (recycleBin !== undefined && !(Array.isArray(recycleBin) && recycleBin.every((item) => isRecordList([(item as { document?: unknown }).document])))) {
    return 'recycleBin is not a list of deleted documents';
  }
  return undefined;
}

/** The store file, or an empty store when there is none; a file that does not parse is refused, never overwritten. */
async function readStoreFile(file: string): Promise<StoreFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyStoreFile();
    throw error;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw corruptStore(file, (error as Error).message);
  }
  const problem = storeFileProblem(data);
  if (problem !== undefined) throw corruptStore(file, problem);
  // A store written before the recycle bin was kept has none.
  return { recycleBin: [], ...(data as Omit<StoreFile, 'recycleBin'>) };
}

const corruptStore = (file: string, reason: string): EmulatorStartError =>
  new EmulatorStartError(`${file} is not a valid store file (${reason}); restore it, or move it away to start with an empty store`, 'STORE_CORRUPT');
